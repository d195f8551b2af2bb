"""Analysis: from retrieved provisions to a lawful fine, a tier and reminders (between ``index`` and ``api``)."""
