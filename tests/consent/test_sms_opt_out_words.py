"""R-SMS-3: an inbound text opts out when the whole message is an opt-out word, whatever its case, spacing or
punctuation; a message that only mentions one does not. Signed bodies nested too deeply are a 400."""

import json
from http import HTTPStatus

import pytest

from consent import webhooks
from consent.choices import Choice
from consent.selectors import account_values
from tests.factories import AccountFactory
from tests.helpers import post_inbound

pytestmark = pytest.mark.django_db

NUMBER = "+14155550123"

OPT_OUTS = [
    "STOP",
    "stop",
    "Stop",
    " stop ",
    "STOP.",
    "Stop!",
    "stop!!!",
    "¡STOP!",
    "“Stop”",
    "'stop'",
    "(stop)",
    "STOPALL",
    "stopall",
    "StopAll.",
    "UNSUBSCRIBE",
    "unsubscribe",
    "Unsubscribe.",
    "CANCEL",
    "cancel",
    "Cancel!",
    "END",
    "end",
    "End.",
    "QUIT",
    "quit",
    "Quit!",
    "REVOKE",
    "revoke",
    "Revoke.",
    "OPT OUT",
    "opt out",
    "Opt out",
    "opt-out",
    "Opt-Out!",
    "OPT  OUT",
    "opt\tout",
    "OPTOUT",
    "optout",
    "OptOut.",
    "\uff33\uff34\uff2f\uff30",
    "s\u200btop",
    "\u200bSTOP",
    "STOP\n",
    "...stop...",
]
NOT_OPT_OUTS = [
    "please stop",
    "don't stop",
    "STOP IT",
    "stopp",
    "sto p",
    "unsubscribe me",
    "end of story",
    "quitting",
    "opt in",
    "OPT",
    "OUT",
    "START",
    "HELP",
    "hello",
    "",
    "   ",
    "stop stop",
    "СТОП",
]


def post_text(text: str) -> object:
    return post_inbound(json.dumps({"from": NUMBER, "text": text}).encode())


def texts_on(account) -> list[bool]:
    values = account_values(account=account)
    return [values[key] for key in (Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS)]


@pytest.mark.parametrize("text", OPT_OUTS)
def test_the_whole_message_as_an_opt_out_word_turns_every_text_category_off__R_SMS_3(text):
    account = AccountFactory(phone=NUMBER)
    response = post_text(text)
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"reply": webhooks.STOP_REPLY}
    assert texts_on(account) == [False, False, False]


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_a_message_that_is_not_an_opt_out_word_changes_nothing__R_SMS_3(text):
    account = AccountFactory(phone=NUMBER)
    response = post_text(text)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["reply"] != webhooks.STOP_REPLY
    assert texts_on(account) == [True, True, True]


@pytest.mark.parametrize(("depth", "status"), [(33, 400), (1000, 400), (8000, 400), (100_000, 413)])
def test_a_signed_body_nested_too_deeply_is_a_400_and_changes_nothing__R_SMS_3(depth, status):
    """Past webhooks.BODY_MAX_BYTES a body is refused unread (413) before its nesting is looked at."""
    account = AccountFactory(phone=NUMBER)
    body = ('{"from": "' + NUMBER + '", "text": "STOP", "x": ' + "[" * depth + "]" * depth + "}").encode()
    response = post_inbound(body)
    assert response.status_code == status
    assert texts_on(account) == [True, True, True]
