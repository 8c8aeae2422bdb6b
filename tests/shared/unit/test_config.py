from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.config import ConfigError, KafkaSettings, load_settings, positive_int, setting


@dataclass(frozen=True)
class ExampleSettings:
    database_url: str = setting("EXAMPLE_DATABASE_URL", doc="where the data lives")
    pool_size: int = setting("EXAMPLE_POOL_SIZE", default=5, parse=positive_int, doc="connections")


def test_every_problem_is_reported_at_once_with_what_the_variable_means():
    with pytest.raises(ConfigError) as error:
        load_settings(ExampleSettings, {"EXAMPLE_POOL_SIZE": "-3"})
    message = str(error.value)
    assert "EXAMPLE_DATABASE_URL is required: where the data lives" in message
    assert "EXAMPLE_POOL_SIZE='-3' is not valid" in message


def test_defaults_apply_and_values_are_parsed():
    settings = load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "postgresql://x", "EXAMPLE_POOL_SIZE": "7"})
    assert settings == ExampleSettings(database_url="postgresql://x", pool_size=7)
    assert load_settings(ExampleSettings, {"EXAMPLE_DATABASE_URL": "u"}).pool_size == 5


def test_the_topic_prefix_keeps_deployments_apart():
    kafka = load_settings(KafkaSettings, {"KAFKA_BOOTSTRAP_SERVERS": "b:9092", "KAFKA_TOPIC_PREFIX": "staging."})
    assert kafka.topic("registration.events") == "staging.registration.events"
