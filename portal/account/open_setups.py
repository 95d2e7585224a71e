"""The open Stripe SetupIntent of each subscription's card page, kept in the session.

The card page reuses the SetupIntent it created on an earlier visit, so that
reloading or returning to the page does not create a new one each time. Only
ids are stored: the client secret is read from Stripe again. The signed
session cookie keeps the ids of a few subscriptions at most.
"""

from flask import session

SESSION_KEY = "account_setup_intents"
# The maximum number of subscriptions whose SetupIntent ids the cookie keeps.
# Older ones are dropped.
MAX_REMEMBERED = 5


def get(subscription_token: str) -> str | None:
    """Return the id of the SetupIntent last shown for the subscription, if any."""
    return session.get(SESSION_KEY, {}).get(subscription_token)


def remember(subscription_token: str, setup_intent_id: str) -> None:
    remembered = dict(session.get(SESSION_KEY, {}))
    remembered.pop(subscription_token, None)
    remembered[subscription_token] = setup_intent_id
    while len(remembered) > MAX_REMEMBERED:
        del remembered[next(iter(remembered))]
    session[SESSION_KEY] = remembered


def forget(subscription_token: str) -> None:
    """Drop the subscription's SetupIntent id, once its card is saved."""
    remembered = dict(session.get(SESSION_KEY, {}))
    if remembered.pop(subscription_token, None) is not None:
        session[SESSION_KEY] = remembered
