# SPDX-License-Identifier: AGPL-3.0-or-later
from .blended import PlanCourse
from .courses import (
    Chapter,
    Course,
    CourseEnrollment,
    Lesson,
    LessonProgress,
    LessonVisit,
    Video,
)
from .library import BookCopy, Hold, LibraryCard, Loan, ReadingRoom, Title
from .practice import Answer, ExamAttempt, PracticeCursor, Question, QuestionBank, ReviewItem

__all__ = [
    "Answer",
    "BookCopy",
    "Chapter",
    "Course",
    "CourseEnrollment",
    "ExamAttempt",
    "Hold",
    "Lesson",
    "LessonProgress",
    "LessonVisit",
    "LibraryCard",
    "Loan",
    "PlanCourse",
    "PracticeCursor",
    "Question",
    "QuestionBank",
    "ReadingRoom",
    "ReviewItem",
    "Title",
    "Video",
]
