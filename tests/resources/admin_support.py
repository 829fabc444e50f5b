"""Shared set-up for the resources back-office tests: staff sign-ins and a small world."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from tests.factories import (
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T = dt.time


def staff(role, unit, name):
    return MemberFactory(user=UserFactory(is_staff=True), unit=unit, role=role, name=name)


def signed_in(member):
    """A browser in English (the admin's default is zh-hans) signed in as ``member``."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(member.user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def post_data(response, **changes):
    """The POST body a browser would send back for the admin form in ``response`` (main
    form and every inline formset as shown), with ``changes`` applied."""
    data = {}
    multi = {}  # html name -> widget, for the fields entered in several boxes (days, hours...)

    def add(form):
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, MultiWidget):
                multi[bound.html_name] = bound.field.widget
                if not isinstance(value, list):
                    value = bound.field.widget.decompress(value)
                boxes = zip(bound.field.widget.widgets_names, value, strict=True)
                for suffix, part in boxes:
                    if part is not None:
                        data[bound.html_name + suffix] = part
                continue
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    for name, value in changes.items():
        if name in multi:  # a length in minutes, entered as the form's boxes
            widget = multi[name]
            parts = widget.decompress(value)
            data.update(
                {
                    name + suffix: part
                    for suffix, part in zip(widget.widgets_names, parts, strict=True)
                }
            )
        else:
            data[name] = value
    return {key: value for key, value in data.items() if value is not None}


def url(name, *args):
    return reverse(f"admin:resources_{name}", args=args)
