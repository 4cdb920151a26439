from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onestop.accounts.models import Unit, User
from onestop.accounts.selectors import unit_staff


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.PrimaryKeyRelatedField[Unit](read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "region_code",
            "parent",
            "path",
            "office_hours",
            "address",
            "phone",
        ]


class MeSerializer(serializers.ModelSerializer[User]):
    unit = UnitSerializer(read_only=True)
    roles = serializers.SerializerMethodField()
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "kind", "display_name", "unit", "roles"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.role_codes())

    def get_display_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class StaffMemberSerializer(serializers.ModelSerializer[User]):
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "police_number", "roles"]

    def get_display_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.username

    def get_roles(self, obj: User) -> list[str]:
        return sorted(group.name for group in obj.groups.all())


class StaffUnitSerializer(UnitSerializer):
    staff = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "is_active", "staff"]

    @extend_schema_field(StaffMemberSerializer(many=True))
    def get_staff(self, obj: Unit) -> list[dict[str, object]]:
        return StaffMemberSerializer(unit_staff(obj), many=True).data  # type: ignore[return-value]
