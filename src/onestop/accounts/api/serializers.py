from rest_framework import serializers

from onestop.accounts.models import Unit, User


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "kind", "region_code", "parent", "path",
                  "office_hours", "address", "phone"]


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
