from .audit import AuditEvent
from .calendar import CalendarDayOverride, CalendarYear
from .mixins import TimeStampedModel

__all__ = ["AuditEvent", "CalendarDayOverride", "CalendarYear", "TimeStampedModel"]
