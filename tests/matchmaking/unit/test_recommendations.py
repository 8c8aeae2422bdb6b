"""Recommendations on a small labelled set: companies whose offer fits an officer's needs
should come first, with their reasons; precision at k is measured and printed."""
from __future__ import annotations

from services.matchmaking.domain.recommendations import Profile, precision_at_k, recommend

OFFICERS = [
    Profile("officer:navy", "officer", "Cdr R. Iyer", ("naval_systems",),
            "Sonar domes, hull-mounted sonar arrays and AUV batteries for submarines"),
    Profile("officer:army", "officer", "Col A. Khan", ("land_systems",),
            "Armoured vehicle suspension, tracked vehicle engines and night sights for tanks"),
    Profile("officer:air", "officer", "Gp Capt S. Rao", ("aerospace", "electronics_communication"),
            "Avionics mission computers, cockpit displays and radar warning receivers"),
    Profile("officer:cyber", "officer", "Lt Col P. Das", ("cyber",),
            "Network intrusion detection, secure communications and cryptographic modules"),
    Profile("officer:drones", "officer", "Wg Cdr M. Sen", ("unmanned_systems", "aerospace"),
            "Long-endurance drones, UAV autopilots and counter-drone jamming"),
]
# (profile, the officers it is relevant to)
COMPANIES = [
    (Profile("company:sonar", "company", "Sagar Acoustics", ("naval_systems",),
             "Hull-mounted sonar arrays and sonar domes in composite materials"), {"officer:navy"}),
    (Profile("company:battery", "company", "Deep Cells", ("naval_systems", "materials"),
             "Lithium batteries for AUV and submarines, pressure tolerant packs"), {"officer:navy"}),
    (Profile("company:suspension", "company", "Tracked Mobility", ("land_systems",),
             "Hydropneumatic suspension for armoured and tracked vehicles"), {"officer:army"}),
    (Profile("company:nightsight", "company", "Nayan Optronics", ("land_systems", "electronics_communication"),
             "Thermal night sights for tanks and infantry weapons"), {"officer:army"}),
    (Profile("company:avionics", "company", "Tejas Avionics", ("aerospace", "electronics_communication"),
             "Ruggedised mission computers and cockpit displays to MIL-STD-810"), {"officer:air"}),
    (Profile("company:rwr", "company", "Kavach EW", ("electronics_communication",),
             "Radar warning receivers and electronic warfare suites"), {"officer:air"}),
    (Profile("company:ids", "company", "Suraksha Cyber", ("cyber",),
             "Network intrusion detection and security operations for defence networks"), {"officer:cyber"}),
    (Profile("company:crypto", "company", "Gupt Crypto", ("cyber", "electronics_communication"),
             "Cryptographic modules and secure communications radios"), {"officer:cyber"}),
    (Profile("company:uav", "company", "Garuda Drones", ("unmanned_systems",),
             "Long-endurance drones and UAV autopilots"), {"officer:drones"}),
    (Profile("company:jammer", "company", "Chakra Defence", ("unmanned_systems", "electronics_communication"),
             "Counter-drone jamming and detection"), {"officer:drones"}),
    (Profile("company:textiles", "company", "Vastra Tech", ("materials",),
             "Flame-retardant uniforms and fabrics"), set()),
    (Profile("company:catering", "company", "Annapurna Foods", (),
             "Ration packs and field catering"), set()),
]


def test_precision_at_k_on_the_labelled_set(capsys):
    everyone = OFFICERS + [profile for profile, _ in COMPANIES]
    k = 2
    scores = []
    for officer in OFFICERS:
        relevant = {profile.key for profile, officers in COMPANIES if officer.key in officers}
        ranked = [r.key for r in recommend(officer, [p for p in everyone if p.kind == "company"])]
        scores.append(precision_at_k(ranked, relevant, k))
    for profile, officers in COMPANIES:
        if officers:
            ranked = [r.key for r in recommend(profile, OFFICERS)]
            scores.append(precision_at_k(ranked, officers, 1))
    mean = sum(scores) / len(scores)
    with capsys.disabled():
        print(f"\nrecommendations: mean precision@k over {len(scores)} labelled queries = {mean:.2f}")
    assert mean >= 0.9


def test_each_recommendation_says_why():
    [first, *_] = recommend(OFFICERS[0], [p for p, _ in COMPANIES])
    assert first.key == "company:sonar"
    assert first.shared_sectors == ("naval_systems",)
    assert any("sonar" in term for term in first.matching_terms)
    assert first.reasons[0].startswith("shared sectors: naval systems")


def test_nothing_in_common_is_not_recommended():
    found = recommend(OFFICERS[0], [p for p, _ in COMPANIES])
    assert "company:catering" not in [r.key for r in found]


def test_word_overlap_is_weighed_not_matched_as_substrings():
    """'sonar' inside another word must not count; a shared rare term counts more than a common one."""
    seeker = Profile("officer:x", "officer", "X", (), "sonar")
    decoy = Profile("company:decoy", "company", "Decoy", (), "sonarless personal systems")
    real = Profile("company:real", "company", "Real", (), "sonar systems")
    assert [r.key for r in recommend(seeker, [decoy, real])] == ["company:real"]
