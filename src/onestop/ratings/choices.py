"""Enums of 好差评 (国办发〔2019〕51号, GB/T 39734-2020)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


#: The two lowest levels are bad reviews (差评): each opens a rectification task.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class RatingChannel(models.TextChoices):
    ONLINE = "online", _("网上评价")
    WINDOW = "window", _("窗口评价器")
    HALL = "hall", _("大厅现场评价")


class RectificationState(models.TextChoices):
    OPEN = "open", _("待整改")
    CLOSED = "closed", _("已办结")


class Classification(models.TextChoices):
    VALID = "valid", _("属实差评（需整改）")
    EXPLAINED = "explained", _("无法律依据，已解释说明")
    MISTAKEN = "mistaken", _("误评")
    MALICIOUS = "malicious", _("恶意差评")


class AppealState(models.TextChoices):
    NONE = "", _("未申诉")
    PENDING = "pending", _("申诉审核中")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")
