"""Agency electronic identifiers: NNN.NN.NN.XNN (QĐ 20/2020/QĐ-TTg, QCVN 102:2016/BTTTT)."""
import pytest
from django.core.exceptions import ValidationError

from tinhso.places.codes import agency_code_level, agency_code_problem, agency_code_validate


@pytest.mark.parametrize("code,level", [
    ("000.00.00.H55", 1), ("000.00.06.H56", 2), ("000.01.06.H56", 3), ("001.01.06.H56", 4), ("000.00.01.G01", 2),
])
def test_good_codes(code, level):
    assert agency_code_problem(code) is None
    assert agency_code_level(code) == level


def test_lower_case_and_spaces_are_normalised():
    assert agency_code_validate("  000.00.06.h56 ") == "000.00.06.H56"


@pytest.mark.parametrize("code", [
    "", "H56", "000.00.06.H5", "000.00.06.56H", "00.00.06.H56", "000-00-06-H56", "000.00.06.HH6",
    "000.00.06.H56.1", "000.00.00.H00", "000.01.00.H56", "001.00.06.H56", "000.0A.06.H56",
])
def test_bad_codes(code):
    assert agency_code_problem(code)


def test_error_names_the_field_and_the_expected_form():
    with pytest.raises(ValidationError) as exc:
        agency_code_validate("12345", field="ma_dinh_danh")
    message = exc.value.message_dict["ma_dinh_danh"][0]
    assert "Mã định danh điện tử" in message and "NNN.NN.NN.XNN" in message and "12345" in message


def test_too_long():
    assert "13 ký tự" in agency_code_problem("0000.00.06.H56")
