"""`concurrency`: how many calls are throttled under reserved and provisioned concurrency?"""

from __future__ import annotations

from lambdaprobe.errors import InputError
from lambdaprobe.scenario import ConcurrencySpec, FunctionSpec, Mode, Qualifier, Scenario, SourceSpec, Stimulus
from lambdaprobe.scenarios.common import directive, in_range, one_of, timeout_for, traffic

QUALIFIERS = ("alias", "latest", "version")
MODES = ("sync", "async")


def limits(reserved: int | None, provisioned: int, qualifier: str) -> ConcurrencySpec:
    """Reserved within the pool that may be reserved, provisioned within reserved
    ([concurrency.reserved] [concurrency.provisioned-spillover] [concurrency.account-pool])."""
    spec = ConcurrencySpec()
    reservable = spec.account_limit - spec.min_unreserved
    one_of("--qualifier", qualifier, QUALIFIERS)
    if reserved is not None:
        in_range("--reserved", reserved, 0, reservable)
    in_range("--provisioned", provisioned, 0, reservable)
    if reserved is not None and provisioned > reserved:
        raise InputError(
            "--provisioned",
            f"{provisioned} exceeds --reserved {reserved}; provisioned concurrency counts toward "
            f"reserved, so allowed: 0..{reserved}",
        )
    q: Qualifier = qualifier  # type: ignore[assignment]  # checked by one_of above
    return ConcurrencySpec(reserved=reserved, provisioned=provisioned, qualifier=q)


def build(
    *,
    reserved: int | None,
    provisioned: int,
    qualifier: str,
    count: int,
    interval: float,
    duration: float,
    mode: str,
    init: float,
    timeout: float | None,
    seed: int,
    arrivals: str = "even",
) -> Scenario:
    one_of("--mode", mode, MODES)
    times = traffic(arrivals, count, interval, seed)
    conc = limits(reserved, provisioned, qualifier)
    fn = FunctionSpec(timeout_s=timeout_for(timeout, duration), directive=directive(duration, "never", init))
    m: Mode = mode  # type: ignore[assignment]  # checked by one_of above
    return Scenario(
        probe="concurrency",
        function=fn,
        stimulus=Stimulus(count=count if times is None else len(times), interval_s=interval, mode=m, times=times),
        source=SourceSpec(kind=m),
        concurrency=conc,
        seed=seed,
        params=(
            ("reserved", reserved),
            ("provisioned", provisioned),
            ("qualifier", qualifier),
            ("count", count if times is None else len(times)),
            ("interval", interval),
            *((("arrivals", arrivals),) if times is not None else ()),
            ("duration", duration),
            ("mode", mode),
            ("init", init),
            ("timeout", fn.timeout_s),
            ("seed", seed),
        ),
    )
