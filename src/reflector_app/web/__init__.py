"""The web pages: server-rendered Jinja2 templates, small ES modules, sessions and CSRF (see ``parts.py``)."""
