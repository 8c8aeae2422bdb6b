"""Reading an officer roster from a spreadsheet: every bad row named by its line."""
from __future__ import annotations

from services.registration.domain.officers import OfficerOrganisation, parse_roster
from tests.support.roster import GOOD, HEADER



def test_a_clean_roster_reads_every_officer_with_names_normalised():
    [officer], problems = parse_roster(HEADER + GOOD)
    assert problems == []
    assert officer.organisation is OfficerOrganisation.NAVY
    assert officer.sectors == ("naval_systems", "unmanned_systems")
    assert officer.phone == "+919810000001"
    assert officer.appointment == "Director, Naval Design"


def test_every_bad_row_is_reported_with_its_line_and_reasons():
    text = (HEADER + GOOD
            + "A. Khan,,Army,Brigadier GS,not-an-email,,land_systems,\n"
            + "\n"
            + "S. Das,Captain,Merchant Navy,Liaison,s.das@example.in,12,space;warp drives,\n"
            + 'V. Rao,Colonel,DRDO,Scientist G,R.IYER@navy.example.in,,,\n')
    officers, problems = parse_roster(text)
    assert [p.line for p in problems] == [3, 5, 6]
    assert set(problems[0].errors) == {"rank", "email"}
    assert set(problems[1].errors) == {"organisation", "phone", "sectors"}
    assert problems[1].errors["sectors"] == ["Unknown sector 'warp drives'."]
    assert problems[2].errors == {"email": ["Also on line 2."]}
    assert len(officers) == 1


def test_a_file_without_the_expected_columns_is_refused_as_a_whole():
    officers, [problem] = parse_roster("Name;Rank\nR. Iyer;Commander\n")
    assert problem.line == 1 and "Missing column(s)" in problem.errors["header"][0]
    assert officers == []


def test_a_row_with_too_many_cells_is_reported_not_misread():
    _, [problem] = parse_roster(HEADER + "R. Iyer,Cdr,Navy,Director, Naval Design,r@navy.example.in,,,\n")
    assert problem.line == 2 and "More cells than columns" in problem.errors["row"][0]
