"""The tax school (税务学堂, plan action E17): live sessions with a capacity, enrolment that
never overbooks and a waiting list promoted in order, reminders, attendance, one evaluation an
attendee, and signed completion certificates anyone can verify (docs/usage/school.md)."""
