"""A real Apache Kafka broker (KRaft, combined broker+controller) run from Maven Central jars.

No Docker and no tarball: `deploy/kafka/pom.xml` names the jars, Maven copies
them once into the git-ignored `.cache/kafka/<version>/libs`, and `java` runs
`kafka.Kafka` from there. `python -m shared.localinfra.kafka` runs one broker in
the foreground for `up` (honcho); tests use `KafkaBroker` directly.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import shutil
import subprocess
import tempfile
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.kafka import broker_answers
from shared.localinfra import PROJECT_ROOT
from shared.localinfra.ports import free_port
from shared.localinfra.process import Server, ServerProcess, run_until_signalled

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

__all__ = ["PROJECT_ROOT", "KafkaBroker", "KafkaCluster", "ensure_kafka_libs", "kafka_version", "new_cluster_id", "main"]

POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
CACHE_DIR = PROJECT_ROOT / ".cache" / "kafka"
INSTALL_HINT = "install Java 17+ and Maven, e.g. `apt-get install -y openjdk-17-jre-headless maven`"
_COMPLETE_MARKER = ".complete"


def kafka_version() -> str:
    """The Kafka version pinned in the pom, so the cache follows a version bump."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(POM).getroot().findtext("m:properties/m:kafka.version", namespaces=namespace)
    if not version:
        raise RuntimeError(f"no <kafka.version> property in {POM}")
    return version.strip()


def _require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found on PATH: {INSTALL_HINT}")


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (e.g. parallel pytest workers); released on exit or crash."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_kafka_libs() -> Path:
    """Return the folder of Kafka jars, fetching them with Maven the first time.

    Maven copies into a temporary folder that is renamed into place only once
    complete (the marker file is written last), so an interrupted download is
    never mistaken for a good one; the file lock lets concurrent callers wait
    for one download instead of racing.
    """
    version_dir = CACHE_DIR / kafka_version()
    libs = version_dir / "libs"
    if (libs / _COMPLETE_MARKER).exists():
        return libs
    version_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(version_dir / ".lock"):
        if (libs / _COMPLETE_MARKER).exists():  # another process fetched them meanwhile
            return libs
        _require_tools("java", "mvn")
        staging = Path(tempfile.mkdtemp(prefix="libs-", dir=version_dir))
        try:
            goal = ["dependency:copy-dependencies", f"-DoutputDirectory={staging}"]
            result = subprocess.run(["mvn", "-q", "-B", "-f", str(POM), *goal], capture_output=True, text=True)
            if result.returncode != 0:
                output = result.stdout + result.stderr
                raise RuntimeError(f"Maven could not fetch the Kafka jars (exit {result.returncode}):\n{output}")
            staging.chmod(0o755)  # mkdtemp makes it private
            (staging / _COMPLETE_MARKER).touch()
            shutil.rmtree(libs, ignore_errors=True)  # a folder without the marker, e.g. copied by hand
            staging.rename(libs)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return libs


def new_cluster_id() -> str:
    """A random Kafka cluster id, as `kafka-storage.sh random-uuid` makes, without starting a JVM.

    Kafka ids are 16 random bytes in unpadded base64url; like Kafka, avoid a
    leading "-" that command lines would read as an option. Give every node of
    a multi-node cluster the same id.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


# Logs go to <data_dir>/logs/server.log; the console (honcho's output) only gets
# warnings and errors. Log4j's own shutdown hook is off so that the broker's
# shutdown, which runs in another JVM shutdown hook, is logged to the end.
_LOG4J2_YAML = """\
Configuration:
  name: localinfra-kafka
  shutdownHook: disable
  Appenders:
    Console:
      name: STDOUT
      target: SYSTEM_OUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
    RollingFile:
      name: SERVER_LOG
      fileName: "${sys:kafka.logs.dir}/server.log"
      filePattern: "${sys:kafka.logs.dir}/server.log.%i"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
      SizeBasedTriggeringPolicy:
        size: 20 MB
      DefaultRolloverStrategy:
        max: 3
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: SERVER_LOG
        - ref: STDOUT
          level: WARN
"""


class KafkaBroker(Server):
    """One KRaft node acting as both broker and controller, listening on 127.0.0.1 only.

    Alone it is a single-node cluster (the default). For a cluster on loopback,
    create several with their own `data_dir`, ports and `node_id`, the same
    `controller_quorum_voters` ("1@127.0.0.1:P1,2@127.0.0.1:P2,...") and the same
    `cluster_id`, with `replication_factor=3, min_insync_replicas=2`.

    Ports are chosen once, at construction, so `stop()` then `start()` comes
    back on the same ports with the data kept in `data_dir`.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        node_id: int = 1,
        controller_quorum_voters: str | None = None,
        heap: str = "512m",
        extra_properties: dict[str, object] | None = None,
        *,
        cluster_id: str | None = None,
        replication_factor: int = 1,
        min_insync_replicas: int = 1,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.controller_port = controller_port or free_port()
        self.node_id = node_id
        # Default: a quorum of this node alone.
        self.controller_quorum_voters = controller_quorum_voters or f"{node_id}@127.0.0.1:{self.controller_port}"
        self.heap = heap
        self.extra_properties = dict(extra_properties or {})
        self.replication_factor = replication_factor
        self.min_insync_replicas = min_insync_replicas
        self.log_dir = self.data_dir / "data"  # Kafka's log.dirs: the topic data
        self.cluster_id = cluster_id or self._formatted_cluster_id() or new_cluster_id()
        self._process = ServerProcess(
            f"Kafka broker {node_id} on port {self.port}", self.data_dir / "logs" / "server.log"
        )

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def properties(self) -> dict[str, object]:
        """The broker's server.properties."""
        rf, min_isr = self.replication_factor, self.min_insync_replicas
        return {
            "process.roles": "broker,controller",
            "node.id": self.node_id,
            "controller.quorum.voters": self.controller_quorum_voters,
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": self.log_dir,
            # Topics are created explicitly, as in production.
            "auto.create.topics.enable": "false",
            "num.partitions": 1,
            "default.replication.factor": rf,
            "min.insync.replicas": min_isr,
            # Internal topics sized for a small cluster: one partition each.
            "offsets.topic.replication.factor": rf,
            "offsets.topic.num.partitions": 1,
            "transaction.state.log.replication.factor": rf,
            "transaction.state.log.min.isr": min_isr,
            "transaction.state.log.num.partitions": 1,
            "share.coordinator.state.topic.replication.factor": rf,
            "share.coordinator.state.topic.min.isr": min_isr,
            "share.coordinator.state.topic.num.partitions": 1,
            # Consumers join groups at once instead of after 3 s.
            "group.initial.rebalance.delay.ms": 0,
            # Allocated on the heap (128 MiB by default): keep the JVM small.
            "log.cleaner.dedupe.buffer.size": 16 * 1024 * 1024,
            **self.extra_properties,
        }

    def start(self, timeout: float = 120) -> None:
        """Start the broker and return once it serves clients; formats the storage on first use."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the broker's process without waiting (a cluster's nodes need each other to be ready)."""
        _require_tools("java")
        libs = ensure_kafka_libs()
        self._write_config_files()
        if not (self.log_dir / "meta.properties").exists():
            self._format_storage(libs)
        self._process.spawn(self._java_command(libs, "kafka.Kafka", self.data_dir / "server.properties"))

    def wait_ready(self, timeout: float = 120) -> None:
        self._process.wait_ready(self._serves_clients, timeout)

    def stop(self, timeout: float = 30) -> None:
        """Controlled shutdown (SIGTERM), then SIGKILL if it takes longer than `timeout` seconds."""
        self._process.stop(timeout)

    def kill(self) -> None:
        """SIGKILL the broker, like a crash (for fault tests); the next start recovers its logs.

        That next start takes ~10 s longer: the controller refuses the node's
        new registration until the old one's session expires
        (`broker.session.timeout.ms`, 9 s; lower it in `extra_properties`).
        """
        self._process.kill()

    def is_running(self) -> bool:
        return self._process.is_running()

    def _write_config_files(self) -> None:
        for folder in (self.data_dir / "logs", self.data_dir / "tmp", self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        lines = [f"{key}={value}" for key, value in self.properties().items()]
        (self.data_dir / "server.properties").write_text("\n".join(lines) + "\n")
        (self.data_dir / "log4j2.yaml").write_text(_LOG4J2_YAML)

    def _java_command(self, libs: Path, main_class: str, *args: object) -> list[str | Path]:
        return [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Djava.io.tmpdir={self.data_dir / 'tmp'}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.yaml'}",
            "-cp",
            f"{libs}/*",
            main_class,
            *args,
        ]

    def _format_storage(self, libs: Path) -> None:
        """Write meta.properties for `cluster_id` (`-g`: a formatted folder is left alone)."""
        arguments = ["format", "-t", self.cluster_id, "-c", self.data_dir / "server.properties", "-g"]
        command = self._java_command(libs, "kafka.tools.StorageTool", *arguments)
        result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"formatting {self.log_dir} failed:\n{result.stdout}{result.stderr}")

    def _formatted_cluster_id(self) -> str | None:
        """The cluster id of an already formatted data dir, so a restart reports the right one."""
        try:
            text = (self.log_dir / "meta.properties").read_text()
        except FileNotFoundError:
            return None
        for line in text.splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "cluster.id":
                return value.strip()
        return None

    def _serves_clients(self) -> bool:
        """Ready when an admin client sees this node among the cluster's live brokers.

        A cheap ApiVersions round trip on a plain socket comes first, since a
        KafkaAdminClient that fails to bootstrap leaks its IO thread and sockets.
        """
        if not broker_answers(self.bootstrap_servers):
            return False
        try:
            with KafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers,
                bootstrap_timeout_ms=10_000,
                request_timeout_ms=10_000,
            ) as admin:
                brokers = admin.describe_cluster()["brokers"]
        except KafkaError:
            return False
        return any(broker["broker_id"] == self.node_id for broker in brokers)


class KafkaCluster(Server):
    """Several KRaft nodes (each broker and controller) on loopback forming one cluster, for
    fault tests: replication factor `size`, min.insync.replicas `min_insync_replicas`.

    Nodes find each other's registrations lost within `session_timeout_ms` (short, so a
    killed node's partitions get new leaders quickly); `brokers[i].kill()` crashes one and
    `brokers[i].start()` brings it back with its data.
    """

    def __init__(self, data_dir: Path, size: int = 3, *, min_insync_replicas: int = 2, heap: str = "384m",
                 session_timeout_ms: int = 3000) -> None:
        controller_ports = [free_port() for _ in range(size)]
        voters = ",".join(f"{node}@127.0.0.1:{port}" for node, port in enumerate(controller_ports, start=1))
        cluster_id = new_cluster_id()
        timing = {"broker.session.timeout.ms": session_timeout_ms,
                  "broker.heartbeat.interval.ms": max(200, session_timeout_ms // 6)}
        self.brokers = [
            KafkaBroker(Path(data_dir) / f"node{node}", controller_port=port, node_id=node,
                        controller_quorum_voters=voters, heap=heap, extra_properties=timing, cluster_id=cluster_id,
                        replication_factor=size, min_insync_replicas=min_insync_replicas)
            for node, port in enumerate(controller_ports, start=1)]

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(broker.bootstrap_servers for broker in self.brokers)

    def start(self, timeout: float = 180) -> None:
        """Launch every node, then wait for each: none is ready before a quorum of controllers is up."""
        try:
            for broker in self.brokers:
                broker.launch()
            for broker in self.brokers:
                broker.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for broker in self.brokers:
            broker.stop()

    def is_running(self) -> bool:
        return all(broker.is_running() for broker in self.brokers)


def main(argv: list[str] | None = None) -> int:
    """`python -m shared.localinfra.kafka`: one broker in the foreground until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / ".run" / "kafka")
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--controller-port", type=int, default=9093)
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args(argv)
    broker = KafkaBroker(args.data_dir, port=args.port, controller_port=args.controller_port, heap=args.heap)
    return run_until_signalled(broker, lambda: f"Kafka ready at {broker.bootstrap_servers}")


if __name__ == "__main__":
    raise SystemExit(main())
