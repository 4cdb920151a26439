"""Admin for the core kernel.

Every change made here goes through the same services as the API and the management commands;
the admin only renders forms. Each section below belongs to one feature; keep them separate.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import Engine
from django.template.context import make_context
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core import workdays
from onestop.core.models import CalendarDayOverride, CalendarYear

# --- working-day calendar -------------------------------------------------------------------


class CalendarImportForm(forms.Form):
    """Upload one year's holiday notice as CSV (columns date,is_working_day,name)."""

    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        help_text=gettext_lazy("例如：国务院办公厅通知文号"),
    )
    file = forms.FileField(
        label=gettext_lazy("CSV 文件"),
        help_text=gettext_lazy(
            "列：date,is_working_day,name；is_working_day 为 1 表示调休上班，0 表示放假。"
        ),
    )
    replace = forms.BooleanField(label=gettext_lazy("删除该年份文件中未列出的调整"), required=False)


_IMPORT_TEMPLATE = """{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}<form method="post" enctype="multipart/form-data">{% csrf_token %}
{% if errors %}<ul class="errorlist">
{% for e in errors %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}
<fieldset class="module aligned">{{ form.as_div }}</fieldset>
<div class="submit-row"><input type="submit" value="{% translate '导入' %}" class="default"></div>
</form>{% endblock %}"""


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "entered_at"]
    search_fields = ["source"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarYear | None = None
    ) -> tuple[str, ...]:
        return ("year",) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm, change: bool
    ) -> None:
        saved = workdays.calendar_year_publish(actor=request.user, year=obj.year, source=obj.source)
        obj.pk = saved.pk
        obj.entered_at = saved.entered_at

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        workdays.calendar_year_withdraw(actor=request.user, year=obj.year)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for entry in queryset:
            workdays.calendar_year_withdraw(actor=request.user, year=entry.year)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="core_calendaryear_import",
            )
        ]
        return extra + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.has_add_permission(request):
            messages.info(
                request,
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:core_calendaryear_import"),
                    _("导入国务院办公厅节假日安排通知（CSV）"),
                ),
            )
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Import a CSV holiday notice: all rows or none, errors naming the line."""
        if not (
            self.has_add_permission(request)
            and request.user.has_perm("core.add_calendardayoverride")
            and request.user.has_perm("core.change_calendardayoverride")
        ):
            return HttpResponse(status=403)
        errors: list[str] = []
        if request.method == "POST":
            form = CalendarImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    rows = workdays.calendar_csv_parse(data["file"].read(), year=data["year"])
                    workdays.calendar_year_import(
                        actor=request.user,
                        year=data["year"],
                        source=data["source"],
                        rows=rows,
                        replace=data["replace"],
                    )
                except workdays.CalendarImportError as exc:
                    errors = exc.errors
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    messages.success(
                        request,
                        _("已导入 %(year)d 年节假日安排，共 %(count)d 天。")
                        % {"year": data["year"], "count": len(rows)},
                    )
                    return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
        else:
            form = CalendarImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入节假日安排"),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        template = Engine.get_default().from_string(_IMPORT_TEMPLATE)
        return HttpResponse(template.render(make_context(context, request)))


class CalendarDayOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarDayOverride
        fields = ["date", "is_working_day", "name", "note"]

    def clean_date(self) -> Any:
        day = self.cleaned_data.get("date")
        if day is not None and not workdays.FIRST_DAY <= day <= workdays.LAST_DAY:
            raise ValidationError(
                _("日期超出日历支持的范围（2000—2100 年）。"), code="out_of_range"
            )
        return day


@admin.register(CalendarDayOverride)
class CalendarDayOverrideAdmin(admin.ModelAdmin):
    form = CalendarDayOverrideForm
    list_display = ["date", "is_working_day", "name", "note", "updated_at"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDayOverride | None = None
    ) -> tuple[str, ...]:
        # The date identifies the override; to move one, delete it and add another.
        return ("date",) if obj is not None else ()

    def save_model(
        self,
        request: HttpRequest,
        obj: CalendarDayOverride,
        form: ModelForm,
        change: bool,
    ) -> None:
        saved = workdays.calendar_override_set(
            actor=request.user,
            day=obj.date,
            is_working_day=obj.is_working_day,
            name=obj.name,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarDayOverride) -> None:
        workdays.calendar_override_delete(actor=request.user, day=obj.date)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarDayOverride]
    ) -> None:
        for override in queryset:
            workdays.calendar_override_delete(actor=request.user, day=override.date)


from onestop.core import admin_audit  # noqa: E402, F401  (registers the audit admin)
