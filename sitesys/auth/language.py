"""A member of staff chooses the language of their own screens (sitesys/i18n.py chooses it
for each request: theirs, else their site's default, else en_GB).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import SubmitField

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.forms import RadioChoiceField, SiteSysForm, choices
from sitesys.i18n import PSEUDO_LOCALE, STAFF_LOCALES, staff_language_choices
from sitesys.refusals import Refused

#: The choice that means "my site's default language" (stored as no language at all).
SITE_DEFAULT = "site"


class LanguageRefused(Refused):
    """A language SiteSys's staff screens are not in."""


class LanguageForm(SiteSysForm):
    language = RadioChoiceField(
        _l("Language of your screens"),
        invalid_choice=_l("Choose one of the languages in the list."),
    )
    submit = SubmitField(_l("Save language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = choices(
            [(SITE_DEFAULT, _("The site's language")), *staff_language_choices()]
        )


def choose_language(
    session: Session, staff: Staff, language: str | None, *, pseudo_allowed: bool
) -> bool:
    """Set a member of staff's own language (None: their site's default). Returns whether it
    changed; a change is audited with the codes before and after.
    """
    offered = (*STAFF_LOCALES, *((PSEUDO_LOCALE,) if pseudo_allowed else ()))
    if language is not None and language not in offered:
        raise LanguageRefused(_("Choose one of the languages in the list."))
    if staff.language == language:
        return False
    record_event(
        session,
        "staff.language_chosen",
        actor=staff,
        record=staff,
        language_from=staff.language or SITE_DEFAULT,
        language_to=language or SITE_DEFAULT,
    )
    staff.language = language
    session.flush()
    return True
