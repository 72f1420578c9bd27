"""Prometheus metrics: what the poller counted since the process started (fetch outcomes, failures by
kind, cycle durations) and what the store holds (events by type, deliveries by status, outbox depth)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.pipeline.poller import Poller
from bot.store.database import Store

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Snapshot(Collector):
    """Metric families read once per scrape (see Metrics.render)."""

    def __init__(self) -> None:
        self.families: list[CounterMetricFamily | GaugeMetricFamily] = []

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        yield from self.families


def _counter(name: str, documentation: str, label: str, values: Mapping[str, int]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


class Metrics:
    """One registry per App; `render()` reads the store and returns the text exposition format."""

    def __init__(self, poller: Poller, store: Store) -> None:
        self.poller = poller
        self.store = store
        self.registry = CollectorRegistry()
        self.cycle_seconds = Histogram(
            "clausewatch_poll_cycle_seconds", "Duration of a poll cycle.", registry=self.registry,
            buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
        )
        self._snapshot = _Snapshot()
        self.registry.register(self._snapshot)

    def observe_cycle(self, seconds: float) -> None:
        self.cycle_seconds.observe(seconds)

    async def render(self) -> bytes:
        events = await self.store.event_counts()
        by_status = await self.store.delivery_counts()
        failing = sum(1 for state in self.poller.states.values() if state.failing)
        queue = GaugeMetricFamily("clausewatch_delivery_queue_depth", "Deliveries waiting in the outbox.",
                                  value=by_status.get("pending", 0))
        sources = GaugeMetricFamily("clausewatch_sources", "Sources polled, and how many are failing.", labels=["state"])
        sources.add_metric(["all"], len(self.poller.config.sources()))
        sources.add_metric(["failing"], failing)
        self._snapshot.families = [
            _counter("clausewatch_polls", "Source polls by outcome since start.", "outcome", self.poller.outcomes),
            _counter("clausewatch_fetch_errors", "Failed polls by kind since start.", "kind", self.poller.error_kinds),
            _counter("clausewatch_events", "Events recorded, by type.", "type", events),
            _counter("clausewatch_deliveries", "Deliveries by status (done, failed; pending is the queue).", "status",
                     {k: v for k, v in by_status.items() if k != "pending"}),
            queue,
            sources,
        ]
        return generate_latest(self.registry)
