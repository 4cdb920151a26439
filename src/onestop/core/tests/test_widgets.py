"""FastSelect renders the same HTML as Django's template-rendered Select."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import SimpleTestCase
from django.utils.translation import gettext_lazy as _

from onestop.core.widgets import FastSelect

CHOICES: list[Any] = [
    ("", _("全部")),
    (1, "一"),
    (2, '二 <b>&amp;</b> "quoted"'),
    ('x"><script>', "evil value"),
    (None, "none value"),
    (1, "duplicate of one"),
]
GROUPED: list[Any] = [
    ("", "全部"),
    ("甲组 <i>", [(10, "十"), (11, "十一")]),
    ("乙组", [(20, "二十"), (10, "again ten")]),
    (30, "三十"),
]


class FastSelectTests(SimpleTestCase):
    def assert_same(self, choices: list[Any], value: Any, attrs: dict[str, Any] | None) -> None:
        django_html = forms.Select(choices=choices, attrs=attrs).render("f", value, {"id": "id_f"})
        fast_html = FastSelect(choices=choices, attrs=attrs).render("f", value, {"id": "id_f"})
        self.assertHTMLEqual(fast_html, django_html)

    def test_same_html_as_django_select(self) -> None:
        for choices in (CHOICES, GROUPED, []):
            for value in (None, "", 1, "1", 2, 10, "10", 30, 'x"><script>', "missing", ["2"]):
                for attrs in (None, {"class": "c", "disabled": True, "data-x": False}):
                    with self.subTest(choices=choices, value=value, attrs=attrs):
                        self.assert_same(choices, value, attrs)

    def test_only_the_first_match_is_selected(self) -> None:
        html = FastSelect(choices=CHOICES).render("f", 1)
        self.assertEqual(html.count(" selected"), 1)
        self.assertIn('<option value="1" selected>一</option>', html)

    def test_escapes_values_and_labels(self) -> None:
        html = FastSelect(choices=CHOICES).render("f", None)
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;b&gt;&amp;amp;&lt;/b&gt;", html)

    def test_bound_field_in_a_form(self) -> None:
        class Form(forms.Form):
            fast = forms.ChoiceField(choices=[("", "-"), ("b", "B")], widget=FastSelect)
            slow = forms.ChoiceField(choices=[("", "-"), ("b", "B")])

        form = Form({"fast": "b", "slow": "b"})
        self.assertTrue(form.is_valid())
        self.assertHTMLEqual(
            str(form["fast"]).replace("fast", "X"), str(form["slow"]).replace("slow", "X")
        )
        self.assertIn("required", str(form["fast"]))


@pytest.mark.parametrize("value", ["1", 1, None])
def test_lazy_labels_render_in_the_active_language(value: Any) -> None:
    from django.utils import translation

    with translation.override("en"):
        html = FastSelect(choices=CHOICES).render("f", value)
    assert "<option" in html
