"""Import every model so that SQLAlchemy and Alembic see the whole schema."""

from .api.models import ApiToken
from .attendance.models import AttendanceSettings, AttendanceSheet, FunderLogo, Signature
from .auth.models import Role, User
from .calendars.models import CalendarEntry, CalendarFeed
from .checkin.models import Admission, Badge, Checkpoint, Scan
from .evaluation.models import Answer, Question, Questionnaire, Response
from .events.models import Event
from .programme.models import (
    ProgrammeItem,
    ProgrammeItemKind,
    Project,
    Room,
    Round,
    Session,
    Theme,
    Workshop,
    WorkshopSlot,
)
from .registration.models import (
    Participant,
    ParticipantTheme,
    ParticipantToken,
    ParticipantUnavailableRound,
    ParticipantUnavailableSlot,
    ProjectWish,
    RegistrationSettings,
    WorkshopWish,
)
from .report.models import DayReport, WorkshopReport
from .scheduling.models import (
    Assignment,
    MoveOverride,
    Publication,
    PublishedSchedule,
    ScheduleSwitch,
    SolveJob,
    SolveProgress,
    WorkshopAssignment,
)

__all__ = [
    "Admission",
    "Answer",
    "ApiToken",
    "Assignment",
    "AttendanceSettings",
    "AttendanceSheet",
    "CalendarEntry",
    "CalendarFeed",
    "Badge",
    "Checkpoint",
    "DayReport",
    "Event",
    "FunderLogo",
    "Participant",
    "ParticipantTheme",
    "ParticipantToken",
    "ParticipantUnavailableRound",
    "ParticipantUnavailableSlot",
    "ProgrammeItem",
    "ProgrammeItemKind",
    "Project",
    "ProjectWish",
    "RegistrationSettings",
    "Role",
    "Room",
    "Round",
    "Scan",
    "Session",
    "Signature",
    "Publication",
    "Question",
    "Questionnaire",
    "Response",
    "PublishedSchedule",
    "ScheduleSwitch",
    "MoveOverride",
    "SolveJob",
    "SolveProgress",
    "Theme",
    "User",
    "Workshop",
    "WorkshopAssignment",
    "WorkshopReport",
    "WorkshopSlot",
    "WorkshopWish",
]
