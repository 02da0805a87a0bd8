"""Study-visit briefing assistant: cited answers from visit reports and governance documents."""

__version__ = "0.1.0"
