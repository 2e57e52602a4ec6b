"""The supervisor inside the cage's namespaces: it watches, the build runs beneath it.

Started by safepip.sandbox.cage as the first process of new user, network, PID and mount
namespaces (`unshare ... python -I -m safepip.sandbox.inside CONFIG`). It:
1. brings up the namespace's loopback and routes *every* address to it (a `local` route), so a
   connection to any host, a DNS query to any resolver, reaches this namespace and nothing else;
2. records every such attempt with a packet socket on that loopback (TCP connection attempts,
   UDP datagrams, the names DNS queries ask for): nothing answers, so each attempt fails;
3. mounts the throwaway home (with its decoys) over the user's real home, so a read of a
   secret by its absolute path reads a decoy; what the build needs beneath the real home (the
   interpreters, the target environment) is bound back read-only;
   then overlays the target environment's folders so a write into them lands in a scratch layer;
4. starts the build through safepip.sandbox.restrict (Landlock, then pip) and waits for it;
5. lists the processes still alive when the build is over (they die with this one: it is
   PID 1 of the namespace) and writes what it saw to the report file.
It runs our code only; the build runs as its child, never in this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import subprocess  # nosec B404 - fixed argv lists, no shell
import sys
import threading
import time
from pathlib import Path
from typing import Any

_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4
_MAX_EVENTS = 200


class Recorder:
    """Packets leaving through the namespace's loopback, decoded into attempts."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        self._sock.bind(("lo", 0))
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame, address = self._sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if address[2] == _PACKET_OUTGOING and len(self.events) < _MAX_EVENTS:
                event = decode(frame)
                if event is not None:
                    self.events.append(event)

    def stop(self) -> list[dict[str, Any]]:
        time.sleep(0.1)  # the last packets of a build that just ended
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
        return self.events


def decode(frame: bytes) -> dict[str, Any] | None:
    """A TCP connection attempt or a UDP datagram in an Ethernet frame (None otherwise)."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    packet = frame[14:]
    if ethertype == 0x0800 and len(packet) >= 20:
        header = (packet[0] & 0x0F) * 4
        protocol, destination = packet[9], socket.inet_ntop(socket.AF_INET, packet[16:20])
    elif ethertype == 0x86DD and len(packet) >= 40:
        header, protocol = 40, packet[6]
        destination = socket.inet_ntop(socket.AF_INET6, packet[24:40])
    else:
        return None
    segment = packet[header:]
    if protocol == 6 and len(segment) >= 14:
        flags = segment[13]
        if flags & 0x02 and not flags & 0x10:  # SYN without ACK: a connection attempt
            port = struct.unpack("!H", segment[2:4])[0]
            return {"protocol": "tcp", "host": destination, "port": port}
        return None
    if protocol == 17 and len(segment) >= 8:
        port = struct.unpack("!H", segment[2:4])[0]
        event: dict[str, Any] = {"protocol": "udp", "host": destination, "port": port}
        if port == 53:
            event["query"] = dns_name(segment[8:])
        return event
    return None


def dns_name(message: bytes) -> str:
    """The first question's name of a DNS message ('' when it cannot be read)."""
    labels: list[str] = []
    position = 12
    while position < len(message) and len(labels) < 64:
        length = message[position]
        if length == 0 or length > 63:
            break
        labels.append(message[position + 1:position + 1 + length].decode("ascii", "replace"))
        position += 1 + length
    return ".".join(labels)


def _run(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=10,  # nosec B603
                              check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def setup_network() -> bool:
    """Loopback up and every address routed to it; False when that failed (the namespace
    still has no way out, but attempts are then not seen)."""
    if not _run(["ip", "link", "set", "lo", "up"]):
        return False
    done = _run(["ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo"])
    _run(["ip", "-6", "route", "add", "local", "::/0", "dev", "lo"])
    return done


def overlay(target: str, scratch: Path) -> bool:
    """Overlay `target` so that writes into it land in `scratch/upper`."""
    upper, work = scratch / "upper", scratch / "work"
    upper.mkdir(parents=True)
    work.mkdir()
    return _run(["mount", "-t", "overlay", "overlay", "-o",
                 f"lowerdir={target},upperdir={upper},workdir={work}", target])


def below(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies beneath it (both absolute, normalised)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def outermost(paths: list[str]) -> list[str]:
    """`paths` without those that lie beneath another one of them."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(below(path, other) for other in kept):
            kept.append(path)
    return kept


def hide_home(home: str, decoy: str, keep: list[str], staging: Path) -> bool:
    """Mount the decoy home over the real `home`, so a read of `home/.ssh/id_rsa` by its
    absolute path reads the decoy (evidence) and a write lands in the decoy (evidence); the
    folders beneath `home` the build needs (`keep`: interpreters, the target environment) are
    bound back read-only from a staging view of the real home. False (and the real home left
    as it was, still out of Landlock's reach) when any step fails.

    A folder bound back is reachable through the decoy home, which the build may write, and
    Landlock follows that path: so `keep` holds only what the build may read anyway, and each
    bind is read-only."""
    inner = outermost([p for p in keep if below(p, home)])
    if home in inner:
        return False  # the build needs the home itself: nothing can be hidden
    staging.mkdir(parents=True)
    if not _run(["mount", "--rbind", home, str(staging)]):
        return False
    try:
        if not _run(["mount", "--bind", decoy, home]):
            return False
        for path in inner:
            relative = os.path.relpath(path, home)
            point = Path(home) / relative  # within the decoy now: an empty folder to mount on
            point.mkdir(parents=True, exist_ok=True)
            if not (_run(["mount", "--rbind", str(staging / relative), str(point)])
                    and _run(["mount", "-o", "remount,bind,ro", str(point)])):
                _run(["umount", "--recursive", "--lazy", home])
                return False
        return True
    finally:
        _run(["umount", "--lazy", str(staging)])  # only the binds made from it stay


def lingering() -> list[str]:
    """Command lines of the processes left in this namespace besides this one."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
                    continue  # ended already: nothing is running
                raw = Path(f"/proc/{entry}/cmdline").read_bytes()
                found.append(raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()
                             or f"pid {entry}")
    return found


def main(argv: list[str]) -> None:
    config_path = Path(argv[1])
    config = json.loads(config_path.read_text(encoding="utf-8"))
    report: dict[str, Any] = {"network_observed": setup_network(), "overlays": []}
    recorder = Recorder() if report["network_observed"] else None
    hidden = config.get("hide_homes", {})
    report["homes"] = [home for index, home in enumerate(hidden.get("homes", []))
                       if hide_home(home, hidden["decoy"], hidden["keep"],
                                    Path(config["scratch"]) / f"home-{index}")]
    for index, target in enumerate(config["overlay"]):
        if os.path.isdir(target) and overlay(target, Path(config["scratch"]) / str(index)):
            report["overlays"].append([target, str(Path(config["scratch"]) / str(index))])
    stage = dict(config["stage"])
    stage["write"] = stage["write"] + [t for t, _ in report["overlays"]]
    stage_path = config_path.with_name("stage.json")
    stage_path.write_text(json.dumps(stage), encoding="utf-8")
    started = time.monotonic()
    with open(config["log"], "wb") as log:
        child = subprocess.Popen(  # nosec B603 - our own module, argv list
            [sys.executable, "-I", "-m", "safepip.sandbox.restrict", str(stage_path)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            report["exit"] = child.wait(timeout=config["timeout"])
        except subprocess.TimeoutExpired:
            child.kill()
            report["exit"] = child.wait()
            report["timed_out"] = True
    report["seconds"] = round(time.monotonic() - started, 2)
    time.sleep(0.2)  # a process the build left behind has been reparented to us by now
    report["lingering"] = lingering()
    report["network"] = recorder.stop() if recorder else []
    Path(config["report"]).write_text(json.dumps(report), encoding="utf-8")
    # Leaving ends the namespace: the kernel kills every process still in it.


if __name__ == "__main__":
    main(sys.argv)
