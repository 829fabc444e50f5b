"""The web app at ``/``: server-rendered pages for people, on WeChat's design system (WeUI).

It sits beside ``api`` (neither imports the other) and calls the same services and
selectors, so no rule is written twice.
"""
