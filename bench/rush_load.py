"""The load of the rush benchmark (bench/rush.py): a minimal HTTP/1.1 keep-alive client
and the four kinds of load it sends, each answering latencies and answers as a dict."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import time

CLIENTS = 64
POPULAR = 4
# Clients rotate their members so that the per-member booking ceiling (30 a minute) does not
# answer the rush: at 300 attempts a second each member makes about 23 a minute. With 4 it
# bit once the rush passed about 130 attempts a second (302 answers of 429 at 07:55 UTC).
TOKENS_PER_CLIENT = 12
SEQUENTIAL = 60


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(latencies: list[float], statuses: list[int], seconds: float) -> dict:
    return {
        "requests": len(statuses),
        "per_second": round(len(statuses) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "status": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "5xx": sum(1 for s in statuses if s >= 500),
    }


# --- A minimal HTTP/1.1 keep-alive client ---------------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str, body: dict | None = None
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):  # once more if the server closed an idle connection
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            payload = json.dumps(body).encode() if body is not None else b""
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            )
            try:
                self.writer.write(head.encode() + payload)
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError
                status = int(status_line.split()[1])
                length, close = 0, False
                while (line := await self.reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and "close" in value.lower():
                        close = True
                data = await self.reader.readexactly(length)
                if close:
                    self.close()
                return status, data
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --- The load ---------------------------------------------------------------------------------


async def floor(port: int, tokens: list[str], seconds: float) -> dict:
    latencies: list[float] = []
    statuses: list[int] = []
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        connection = Connection(port)
        token = tokens[n]
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, _ = await connection.request("GET", "/api/v1/me/", token)
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return summary(latencies, statuses, time.perf_counter() - started)


async def rush(port: int, world: dict, first_slot: dt.datetime, seconds: float) -> dict:
    """Client n books resource n % 4; the 16 clients of a resource walk its half-hour
    slots in order, each moving on after every answer."""
    latencies: list[float] = []
    statuses: list[int] = []
    next_slot = dict.fromkeys(world["popular"], 0)
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        connection = Connection(port)
        resource = world["popular"][n % POPULAR]
        tokens = world["tokens"][n * TOKENS_PER_CLIENT : (n + 1) * TOKENS_PER_CLIENT]
        mine = next_slot[resource]
        attempt = 0
        while time.perf_counter() < deadline:
            start = first_slot + dt.timedelta(minutes=30 * mine)
            body = {
                "resource": resource,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=30)).isoformat(),
                "purpose": "抢约",
            }
            started = time.perf_counter()
            status, _ = await connection.request(
                "POST", "/api/v1/bookings/", tokens[attempt % len(tokens)], body
            )
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
            attempt += 1
            if status == 201:
                next_slot[resource] = max(next_slot[resource], mine + 1)
            # Next: the slot after the one just tried, or the first slot nobody has won.
            mine = max(mine + 1, next_slot[resource])
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    result = summary(latencies, statuses, time.perf_counter() - started)
    result["attempts_per_second"] = result.pop("per_second")
    return result


async def one_at_a_time(port: int, world: dict, first_slot: dt.datetime) -> dict:
    """Creates on a quiet resource, then refused creates of a slot already taken."""
    connection = Connection(port)
    tokens = world["quiet_tokens"]  # members the rush did not use
    statuses: list[int] = []

    async def timed(method: str, path: str, token: str, body: dict | None = None) -> float:
        started = time.perf_counter()
        status, _ = await connection.request(method, path, token, body)
        statuses.append(status)
        return time.perf_counter() - started

    def slot(n: int) -> dict:
        start = first_slot + dt.timedelta(minutes=30 * n)
        end = start + dt.timedelta(minutes=30)
        return {
            "resource": world["quiet"],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "purpose": "单次",
        }

    # A member per request: the per-member booking ceiling stays out of the measure.
    me = [await timed("GET", "/api/v1/me/", tokens[n % len(tokens)]) for n in range(SEQUENTIAL)]
    created = [
        await timed("POST", "/api/v1/bookings/", tokens[n % len(tokens)], slot(n))
        for n in range(SEQUENTIAL)
    ]
    refused = [  # the same slots again, now taken
        await timed("POST", "/api/v1/bookings/", tokens[(SEQUENTIAL + n) % len(tokens)], slot(n))
        for n in range(SEQUENTIAL)
    ]
    connection.close()
    return {
        "me_p50_ms": round(statistics.median(me) * 1000, 2),
        "create_p50_ms": round(statistics.median(created) * 1000, 2),
        "refused_p50_ms": round(statistics.median(refused) * 1000, 2),
        "status": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "5xx": sum(1 for s in statuses if s >= 500),
        # What was measured is what was meant: 200s, then 201s, then 409s, nothing else.
        "as_meant": statuses == [200] * SEQUENTIAL + [201] * SEQUENTIAL + [409] * SEQUENTIAL,
    }


async def reads(port: int, world: dict, date_from: dt.date) -> dict:
    connection = Connection(port)
    token = world["tokens"][0]
    week = (
        f"/api/v1/resources/{world['popular'][0]}/availability/"
        f"?from={date_from.isoformat()}&to={(date_from + dt.timedelta(days=6)).isoformat()}"
    )
    out, statuses = {}, []
    for label, path in (("week_availability", week), ("resource_list", "/api/v1/resources/")):
        times = []
        for n in range(SEQUENTIAL + 5):
            started = time.perf_counter()
            status, _ = await connection.request("GET", path, token)
            if n >= 5:  # warm-up: every worker's first request
                times.append(time.perf_counter() - started)
            statuses.append(status)
        out[f"{label}_p50_ms"] = round(statistics.median(times) * 1000, 2)
    connection.close()
    out["5xx"] = sum(1 for s in statuses if s >= 500)
    out["non_200"] = sum(1 for s in statuses if s != 200)
    return out
