"""WTForms' own messages reach staff in the house wording, through the request's translations."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from sitesys.forms import SiteSysForm


class Lengths(SiteSysForm):
    class Meta:
        csrf = False

    initial = StringField("Initial", validators=[InputRequired(), Length(max=1)])
    code = StringField("Code", validators=[Length(max=3)])
    name = StringField("Name", validators=[Length(min=2)])
    count = IntegerField("Count", validators=[NumberRange(1, 9)])


def test_a_missing_answer_and_a_number_out_of_range_are_said_plainly(app):
    with app.test_request_context():
        form = Lengths(MultiDict({"initial": "", "count": "12"}))
        assert not form.validate()
        assert form.initial.errors == ["Fill this in."]
        assert form.count.errors == ["Enter a number from 1 to 9."]


def test_a_length_is_said_with_the_count_in_its_own_number(app):
    with app.test_request_context():
        form = Lengths(MultiDict({"initial": "AB", "code": "ABCD", "name": "A", "count": "x"}))
        assert not form.validate()
        # One character, then several: the form of the word follows the count.
        assert form.initial.errors == ["Use at most 1 character."]
        assert form.code.errors == ["Use at most 3 characters."]
        assert form.name.errors == ["Use at least 2 characters."]
        assert "Enter a whole number." in form.count.errors
