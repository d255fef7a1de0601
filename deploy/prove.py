"""Runs the production overlay without a cluster, and proves what it promises.

`kubectl kustomize deploy/overlays/prod` is rendered, and every Deployment's container is
started as processes (the programs built in target/), each "pod" with exactly the command, the
environment (ConfigMap, `env`, downward API) and the ports the rendered manifests give it, and
its volumes (Secrets made from generated test material) as files. What a cluster would add is
done here, and only that:

- network: each pod has its own loopback address (127.0.<deployment>.<slot>); a listen address
  `0.0.0.0:P` becomes `<pod address>:P`, as a pod's own network namespace would make it;
- DNS: a headless Service's name resolves to its pods' addresses; here the URL
  `https://<service>:<port>` becomes the list of every address a pod of that Service may get;
- filesystem: a pod's absolute paths (volume mounts, data directory) live under its own
  directory;
- kubelet: startup and readiness probes (the manifests' gRPC and HTTP probes, polled every
  0.2 s instead of every few seconds), the `preStop` sleep, SIGTERM, the grace period;
- the Service in front of the gateway: traffic goes to ready gateway pods, which leave the
  rotation when they start terminating;
- PostgreSQL: the local one, with `postgres/roles.sql` run as the README says.

Then, with two replicas of every Deployment (prod's autoscalers' minimum):
1. partner traffic through the gateway reaches both replicas of each service;
2. every Deployment restarts one pod at a time as a rolling update does (surge pod first, ready,
   then an old pod terminates) while traffic runs: no partner request may fail, and usage is
   billed exactly once per delivered answer;
3. billing-service goes down for a while: answers keep flowing, the gateway stays ready, and
   usage arrives exactly once billing is back.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parent.parent
CPF = "52998224725"
PROBE_POLL = 0.2
#: Deployments in the order a release rolls them (README: callees before callers).
ROLL_ORDER = ["auth-service", "billing-service", "score-service", "analysis-service", "gateway"]
REPLICAS = 2
SLOTS = 4  # addresses per Deployment: two pods, and a surge pod for each during a roll


def log(message: str) -> None:
    print(f"deploy/prove: {message}", flush=True)


class Failure(Exception):
    pass


# --- the rendered manifests --------------------------------------------------------------


def render(overlay: str, kubectl: str) -> list[dict]:
    out = subprocess.run(
        [kubectl, "kustomize", str(ROOT / "deploy" / "overlays" / overlay)],
        check=True, capture_output=True, text=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def cpu_limit(container: dict) -> str:
    limit = container["resources"]["limits"]["cpu"]
    cores = float(limit[:-1]) / 1000 if limit.endswith("m") else float(limit)
    return str(math.ceil(cores))


# --- the cluster around the pods ---------------------------------------------------------


class Cluster:
    def __init__(self, docs: list[dict], work: Path, bin_dir: Path, secrets_: dict[str, dict[str, bytes]]):
        self.deployments = by_kind(docs, "Deployment")
        self.config_maps = by_kind(docs, "ConfigMap")
        self.services = by_kind(docs, "Service")
        self.work = work
        self.bin_dir = bin_dir
        self.secrets = secrets_
        self.pods: dict[str, list[Pod]] = {name: [] for name in self.deployments}
        self.used_slots: dict[str, set[int]] = {name: set() for name in self.deployments}
        self.index = {name: i + 1 for i, name in enumerate(sorted(self.deployments))}

    def address(self, deployment: str, slot: int) -> str:
        return f"127.0.{self.index[deployment]}.{slot}"

    def service_addresses(self, service: str) -> list[str]:
        """Every address a pod behind `service` may have (its headless DNS answer, over time)."""
        selector = self.services[service]["spec"]["selector"]
        for name, deployment in self.deployments.items():
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            if all(labels.get(k) == v for k, v in selector.items()):
                return [self.address(name, slot) for slot in range(1, SLOTS + 1)]
        raise Failure(f"no Deployment behind Service {service}")

    def start(self, deployment: str) -> Pod:
        slot = next(s for s in range(1, SLOTS + 1) if s not in self.used_slots[deployment])
        self.used_slots[deployment].add(slot)
        pod = Pod(self, deployment, slot)
        self.pods[deployment].append(pod)
        return pod

    def terminate(self, pod: Pod, kill: bool = False) -> None:
        self.pods[pod.deployment].remove(pod)
        pod.stop(kill=kill)
        self.used_slots[pod.deployment].discard(pod.slot)

    def ready_pods(self, deployment: str) -> list[Pod]:
        return [p for p in self.pods[deployment] if p.in_rotation]

    def stop_all(self) -> None:
        for pods in self.pods.values():
            for pod in list(pods):
                pod.stop(kill=True)


class Pod:
    def __init__(self, cluster: Cluster, deployment: str, slot: int):
        self.cluster = cluster
        self.deployment = deployment
        self.slot = slot
        self.ip = cluster.address(deployment, slot)
        self.name = f"{deployment}-{slot}"
        spec = cluster.deployments[deployment]["spec"]["template"]["spec"]
        self.spec = spec
        self.container = spec["containers"][0]
        self.root = cluster.work / "pods" / f"{self.name}-{time.monotonic_ns()}"
        self.in_rotation = False
        self.mount_volumes()
        command = self.container["command"] + self.container.get("args", [])
        program = cluster.bin_dir / Path(command[0]).name  # the image's /usr/local/bin/<name>
        self.log_path = cluster.work / "logs" / f"{self.name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(program), *command[1:]], env=self.environment(), cwd=self.root,
            stdout=self.log_file, stderr=subprocess.STDOUT,
        )

    # The pod's filesystem: its volumes, under its own root.
    def mount_volumes(self) -> None:
        volumes = {v["name"]: v for v in self.spec.get("volumes", [])}
        for mount in self.container.get("volumeMounts", []):
            target = self.path(mount["mountPath"])
            target.mkdir(parents=True, exist_ok=True)
            volume = volumes[mount["name"]]
            if "secret" in volume:
                self.project(target, volume["secret"]["secretName"], volume["secret"].get("items"),
                             volume["secret"].get("defaultMode", 0o644))
            elif "projected" in volume:
                mode = volume["projected"].get("defaultMode", 0o644)
                for source in volume["projected"]["sources"]:
                    self.project(target, source["secret"]["name"], source["secret"].get("items"), mode)
            elif "emptyDir" not in volume:
                raise Failure(f"{self.deployment}: volume kind of {volume} not simulated")

    def project(self, target: Path, secret: str, items: list | None, mode: int) -> None:
        data = self.cluster.secrets[secret]
        for item in items or [{"key": k, "path": k} for k in data]:
            path = target / item["path"]
            path.write_bytes(data[item["key"]])
            os.chmod(path, mode)

    def path(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    def environment(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for source in self.container.get("envFrom", []):
            env.update(self.cluster.config_maps[source["configMapRef"]["name"]]["data"])
        for var in self.container.get("env", []):
            if "value" in var:
                env[var["name"]] = var["value"]
            elif var["valueFrom"].get("resourceFieldRef", {}).get("resource") == "limits.cpu":
                env[var["name"]] = cpu_limit(self.container)
            else:
                raise Failure(f"{self.deployment}: env {var['name']} source not simulated")
        return {"PATH": os.environ.get("PATH", "/usr/bin"), **{k: self.localize(v) for k, v in env.items()}}

    def localize(self, value: str) -> str:
        value = re.sub(r"^0\.0\.0\.0:(\d+)$", lambda m: f"{self.ip}:{m.group(1)}", value)

        def resolve(m: re.Match) -> str:
            host, port = m.group(1), m.group(2)
            if host not in self.cluster.services:
                return m.group(0)
            return ",".join(f"https://{ip}:{port}" for ip in self.cluster.service_addresses(host))

        if value.startswith("https://"):
            return re.sub(r"^https://([a-z0-9-]+):(\d+)$", resolve, value)
        if value.startswith("/"):
            return str(self.path(value))
        return value

    # The kubelet's view.
    def port(self, port) -> int:
        if isinstance(port, int):
            return port
        return next(p["containerPort"] for p in self.container["ports"] if p["name"] == port)

    def probe(self, probe: dict) -> bool:
        if self.process.poll() is not None:
            raise Failure(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
        timeout = probe.get("timeoutSeconds", 1)
        if "grpc" in probe:
            try:
                with grpc.insecure_channel(f"{self.ip}:{self.port(probe['grpc']['port'])}") as channel:
                    answer = health_pb2_grpc.HealthStub(channel).Check(
                        health_pb2.HealthCheckRequest(service=probe["grpc"].get("service", "")), timeout=timeout)
                    return answer.status == health_pb2.HealthCheckResponse.SERVING
            except grpc.RpcError:
                return False
        get = probe["httpGet"]
        try:
            url = f"http://{self.ip}:{self.port(get['port'])}{get['path']}"
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return 200 <= response.status < 400
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self) -> None:
        for kind in ("startupProbe", "readinessProbe"):
            probe = self.container[kind]
            deadline = time.monotonic() + probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3) + 30
            while not self.probe(probe):
                if time.monotonic() > deadline:
                    raise Failure(f"{self.name}: {kind} never passed; see {self.log_path}")
                time.sleep(PROBE_POLL)
        self.in_rotation = True

    def stop(self, kill: bool = False) -> None:
        self.in_rotation = False  # the endpoints controller takes it out first
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                pre_stop = self.container.get("lifecycle", {}).get("preStop", {}).get("sleep", {})
                time.sleep(pre_stop.get("seconds", 0))
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.spec.get("terminationGracePeriodSeconds", 30))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise Failure(f"{self.name} did not stop within its grace period")
            if not kill and self.process.returncode != 0:
                raise Failure(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
        self.log_file.close()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- Secrets from generated test material -------------------------------------------------


def make_secrets(work: Path, bin_dir: Path, pg: dict, workloads: list[str]) -> dict[str, dict[str, bytes]]:
    certs, ca = work / "mesh-certs", work / "mesh-ca"
    subprocess.run([str(bin_dir / "aval"), "certs", "--out", str(certs), "--ca-dir", str(ca),
                    "--namespace", "aval"], check=True, capture_output=True)
    made: dict[str, dict[str, bytes]] = {}
    for identity in workloads:  # each Deployment's mesh identity is its name
        made[f"{identity}-tls"] = {
            "ca.crt": (certs / "ca.pem").read_bytes(),
            "tls.crt": (certs / f"{identity}.pem").read_bytes(),
            "tls.key": (certs / f"{identity}-key.pem").read_bytes(),
        }
    for service in pg["passwords"]:
        url = f"postgres://aval_{service}:{pg['passwords'][service]}@{pg['host']}:{pg['port']}/aval_{service}"
        made[f"{service}-service-database"] = {"url": url.encode()}
    made["auth-hash-key"] = {"auth-hash-key": secrets.token_bytes(32)}
    return made


def prepare_postgres() -> dict:
    """README step 2 on the local PostgreSQL: fresh databases, roles.sql, one password each."""
    port = os.environ.get("AVAL_PROVE_PG_PORT", "5432")
    passwords = {s: secrets.token_hex(16) for s in ["auth", "score", "analysis", "billing"]}

    def psql(*args: str, sql: str) -> None:
        command = ["psql", "-v", "ON_ERROR_STOP=1", "-q", *args]
        admin_url = os.environ.get("AVAL_PROVE_PG_ADMIN_URL")
        if admin_url:
            command.append(admin_url)
        elif os.geteuid() == 0:  # as scripts/postgres sets it up: the local superuser
            command = ["su", "postgres", "-c", shlex.join([*command, "-p", port])]
        else:
            raise Failure("set AVAL_PROVE_PG_ADMIN_URL to a superuser URL (or run as root)")
        done = subprocess.run(command, input=sql, text=True, capture_output=True)
        if done.returncode != 0:
            raise Failure(f"psql: {done.stderr}")

    drops = "".join(f'DROP DATABASE IF EXISTS aval_{s} WITH (FORCE);\n' for s in passwords)
    psql(sql=drops)
    roles_sql = (ROOT / "deploy" / "postgres" / "roles.sql").read_text()
    psql(*[arg for s, pw in passwords.items() for arg in ("-v", f"{s}_password={pw}")], sql=roles_sql)
    return {"host": "127.0.0.1", "port": port, "passwords": passwords}


# --- the operator and the partner --------------------------------------------------------


class Partner:
    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.turn = 0
        self.lock = threading.Lock()
        self.token = ""
        self.delivered = {"consumer_score": 0, "legal_person_analysis": 0}
        self.failures: list[str] = []
        self.requests = 0
        self.proposal = json.loads((ROOT / "docs" / "examples" / "legal_person_proposal.json").read_text())

    def gateway(self) -> str:
        with self.lock:
            pods = self.cluster.ready_pods("gateway")
            if not pods:
                raise Failure("no gateway pod in rotation")
            self.turn += 1
            pod = pods[self.turn % len(pods)]
        return f"http://{pod.ip}:{pod.port('http')}"

    def call(self, method: str, path: str, body: dict | None = None, form: str | None = None,
             auth: str | None = None) -> tuple[int, dict]:
        headers = {"Authorization": auth or f"Bearer {self.token}"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data, headers["Content-Type"] = form.encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.gateway() + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def sign_in(self, client_id: str, client_secret: str) -> None:
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        status, body = self.call("POST", "/oauth2/v1/token", form="grant_type=client_credentials",
                                 auth=f"Basic {basic}")
        if status != 200:
            raise Failure(f"token: {status} {body}")
        self.token = body["access_token"]

    def one_request(self, n: int) -> None:
        if n % 4 == 3:
            product = "legal_person_analysis"
            proposal = dict(self.proposal, id=f"prove-{n}-{secrets.token_hex(4)}")
            status, body = self.call("POST", "/credit_analysis/legal_person", body=proposal)
        else:
            product = "consumer_score"
            status, body = self.call("POST", "/v1/scores", body={"document": CPF})
        if status == 200:
            with self.lock:
                self.requests += 1
                self.delivered[product] += 1
        else:
            self.record_failure(f"{product}: {status} {json.dumps(body)[:300]}")

    def record_failure(self, what: str) -> None:
        with self.lock:
            self.requests += 1
            self.failures.append(what)

    def usage(self) -> dict[str, int]:
        status, body = self.call("GET", "/v1/usage")
        if status != 200:
            raise Failure(f"usage: {status} {body}")
        return {k: int(v) for k, v in body.get("totals", {}).items()}


class Traffic:
    """Partner requests from a few workers, until stopped. Paced (at most ~20/s), so the whole
    run stays within the pay_per_use plan's 5,000 answers."""

    PAUSE = 0.1

    def __init__(self, partner: Partner, workers: int = 2):
        self.partner = partner
        self.stopping = threading.Event()
        self.counter = 0
        self.counter_lock = threading.Lock()
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]

    def work(self) -> None:
        while not self.stopping.is_set():
            with self.counter_lock:
                self.counter += 1
                n = self.counter
            try:
                self.partner.one_request(n)
            except Exception as e:  # a refused connection, a timeout: a failed partner request
                self.partner.record_failure(f"request {n}: {e!r}")
            self.stopping.wait(self.PAUSE)

    def __enter__(self) -> Traffic:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join()


def admin(cluster: Cluster, work: Path, *args: str, output: bool = True) -> dict:
    """`aval admin` as the operator, against a ready pod of each service (README step 7)."""
    def url(deployment: str) -> str:
        pod = cluster.ready_pods(deployment)[0]
        return f"https://{pod.ip}:{pod.port('grpc')}"
    certs = work / "mesh-certs"
    command = [str(cluster.bin_dir / "aval"), "admin",
               "--auth-url", url("auth-service"), "--billing-url", url("billing-service"),
               "--score-url", url("score-service"), "--ca-cert", str(certs / "ca.pem"),
               "--operator-cert", str(certs / "operator.pem"), "--operator-key", str(certs / "operator-key.pem"),
               *args, *(["--output", "json"] if output else [])]
    done = subprocess.run(command, capture_output=True, text=True, cwd=work)
    if done.returncode != 0:
        raise Failure(f"aval admin {' '.join(args)}: {done.stderr}")
    return json.loads(done.stdout) if output else {}


def onboard(cluster: Cluster, work: Path, partner: Partner) -> None:
    admin(cluster, work, "tenants", "create", "--id", "acme", "--name", "Acme")
    client = admin(cluster, work, "clients", "create", "--tenant", "acme", "--name", "acme backend",
                   "--scope", "score:read", "--scope", "analysis:write", "--scope", "usage:read")
    admin(cluster, work, "plans", "subscribe", "--tenant", "acme", "--plan", "pay_per_use")
    csv = work / "acme.csv"
    csv.write_text("document,months_as_customer,on_time_payment_ratio,late_payments_12m,"
                   "average_monthly_spend_cents,active_lines,has_bank_account\n"
                   f"{CPF},48,0.97,0,350000,2,true\n")
    admin(cluster, work, "profiles", "import", "--tenant", "acme", str(csv), output=False)
    partner.sign_in(client["client_id"], client["client_secret"])


# --- the three proofs --------------------------------------------------------------------


def check_no_failures(partner: Partner, phase: str) -> None:
    if partner.failures:
        raise Failure(f"{phase}: {len(partner.failures)} of {partner.requests} partner requests failed:\n  "
                      + "\n  ".join(partner.failures[:20]))
    log(f"{phase}: {partner.requests} partner requests so far, none failed")


def wait_billed_exactly(partner: Partner, phase: str, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while True:
        usage = partner.usage()
        billed = {product: usage.get(product, 0) for product in partner.delivered}
        if billed == partner.delivered:
            break
        if any(billed[p] > partner.delivered[p] for p in billed) or time.monotonic() > deadline:
            raise Failure(f"{phase}: delivered {partner.delivered}, billed {billed}")
        time.sleep(0.5)
    time.sleep(3)  # nothing arrives twice later
    billed = {product: partner.usage().get(product, 0) for product in partner.delivered}
    if billed != partner.delivered:
        raise Failure(f"{phase}: delivered {partner.delivered}, billed {billed} a moment later")
    log(f"{phase}: billed exactly what was delivered: {billed}")


def prove_replicas_serve(cluster: Cluster, partner: Partner) -> None:
    # auth-service barely works under traffic (tokens are verified where they arrive) and
    # billing-service answers cached quota checks and batched usage: only reported.
    checked = ["score-service", "analysis-service", "gateway"]
    pods = [p for name in [*checked, "auth-service", "billing-service"] for p in cluster.pods[name]]
    # CPU time each pod spends with no traffic, then with traffic; what traffic added,
    # per pod, must be well above noise (health watches, exporters, outbox polls).
    idle_for, busy_for = 4.0, 10.0
    idle = {p.name: p.cpu_seconds() for p in pods}
    time.sleep(idle_for)
    idle = {p.name: p.cpu_seconds() - idle[p.name] for p in pods}
    busy = {p.name: p.cpu_seconds() for p in pods}
    with Traffic(partner):
        time.sleep(busy_for)
    busy = {p.name: p.cpu_seconds() - busy[p.name] for p in pods}
    added = {name: busy[name] - idle[name] * busy_for / idle_for for name in busy}
    check_no_failures(partner, "1. traffic")
    for p in pods:
        log(f"1. {p.name} ({p.ip}): {busy[p.name]:.2f} s CPU in {busy_for:.0f} s of traffic, "
            f"{idle[p.name]:.2f} s in {idle_for:.0f} s idle")
    lazy = [p.name for p in pods if p.deployment in checked and added[p.name] < 0.1]
    if lazy:
        raise Failure(f"1. replicas that served no visible share of the traffic: {lazy}")


def prove_rolling_restart(cluster: Cluster, partner: Partner) -> None:
    with Traffic(partner):
        for deployment in ROLL_ORDER:
            for old in list(cluster.pods[deployment]):
                new = cluster.start(deployment)
                new.wait_ready()
                cluster.terminate(old)
                log(f"2. {deployment}: {old.name} replaced by {new.name}")
    check_no_failures(partner, "2. rolling restart")
    wait_billed_exactly(partner, "2. rolling restart")


def prove_billing_outage(cluster: Cluster, partner: Partner) -> None:
    with Traffic(partner):
        for pod in list(cluster.pods["billing-service"]):
            cluster.terminate(pod, kill=True)
        log("3. billing-service is down (both pods killed)")
        down_since = time.monotonic()
        delivered_before = dict(partner.delivered)
        while time.monotonic() - down_since < 10:
            for gateway in cluster.ready_pods("gateway"):
                if not gateway.probe(gateway.container["readinessProbe"]):
                    raise Failure(f"3. {gateway.name} is not ready while billing is down")
            time.sleep(1)
        flowed = {p: partner.delivered[p] - delivered_before[p] for p in partner.delivered}
        if not all(flowed.values()):
            raise Failure(f"3. answers stopped while billing was down: {flowed}")
        log(f"3. while billing was down: {flowed} answers delivered, gateways ready")
        for _ in range(REPLICAS):
            cluster.start("billing-service").wait_ready()
        log("3. billing-service is back")
    check_no_failures(partner, "3. billing outage")
    wait_billed_exactly(partner, "3. billing outage")


def main() -> int:
    bin_dir = Path(os.environ.get("AVAL_PROVE_BIN", ROOT / "target" / "debug"))
    kubectl = os.environ.get("KUBECTL", "kubectl")
    for program in ["aval", "gateway", "auth-service", "score-service", "analysis-service", "billing-service"]:
        if not (bin_dir / program).exists():
            raise Failure(f"{bin_dir / program} is missing: cargo build first")
    docs = render("prod", kubectl)
    work = Path(tempfile.mkdtemp(prefix="aval-prove-"))
    log(f"rendered deploy/overlays/prod ({len(docs)} objects); pods, logs and secrets in {work}")
    workloads = sorted(by_kind(docs, "Deployment"))
    cluster = Cluster(docs, work, bin_dir, make_secrets(work, bin_dir, prepare_postgres(), workloads))
    ok = False
    try:
        for deployment in ROLL_ORDER:  # callees first, so the first calls find their peers
            pods = [cluster.start(deployment) for _ in range(REPLICAS)]
            for pod in pods:
                pod.wait_ready()
            log(f"{deployment}: {', '.join(f'{p.name} on {p.ip}' for p in pods)} ready")
        partner = Partner(cluster)
        onboard(cluster, work, partner)
        prove_replicas_serve(cluster, partner)
        prove_rolling_restart(cluster, partner)
        prove_billing_outage(cluster, partner)
        ok = True
        log(f"ok: {partner.requests} partner requests, none failed; billed {partner.delivered}")
        return 0
    except Failure as e:
        log(f"FAILED: {e}")
        return 1
    finally:
        cluster.stop_all()
        if ok and not os.environ.get("AVAL_PROVE_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work} (pod logs under logs/)")


if __name__ == "__main__":
    sys.exit(main())
