"""Records kept column by column: how a large run holds millions of observations compactly.

A `Columns` takes records (slotted dataclasses such as `Attempt`) through `append`, which is a plain
list's append (the simulator's hot path pays nothing extra), and `flush` moves what was appended
into a chunk of columns: a float column becomes an `array('d')` (8 bytes a value instead of a
24-byte float object and an 8-byte reference), an int column an `array('q')`, and a column whose values in
the chunk are all the same object (an outcome, a version, `None`) a single value and a length.
Reading gives the records back, equal to those appended, in order: one at a time, never all at
once unless the reader asks for a list.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import fields
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

# The typed arrays a field may be kept in, by its declared type; anything else is a list of references.
# (A bool stays a list of references: it reads back without conversion.)
_TYPECODES = {"float": "d", "int": "q"}


class _Const:
    """A chunk's column whose values are all one object."""

    __slots__ = ("n", "value")

    def __init__(self, value: Any, n: int) -> None:
        self.value, self.n = value, n

    def __getitem__(self, i: int) -> Any:
        return self.value

    def __iter__(self) -> Iterator[Any]:
        return repeat(self.value, self.n)


def const(value: Any, n: int) -> Any:
    """A column of `n` times one value, for `Columns.add_chunk`."""
    return _Const(value, n)


class _Numbered:
    """A chunk's column of ids that are a prefix and a number (`x17`), kept as the numbers."""

    __slots__ = ("numbers", "template")

    def __init__(self, template: str, numbers: array[int]) -> None:
        self.template, self.numbers = template, numbers

    def __getitem__(self, i: int) -> str:
        return self.template % self.numbers[i]

    def __iter__(self) -> Iterator[str]:
        return map(self.template.__mod__, self.numbers)

    @staticmethod
    def of(values: list[Any]) -> _Numbered | None:
        first = values[0]
        if type(first) is not str:
            return None
        digits = len(first) - len(first.rstrip("0123456789"))
        if not digits:
            return None
        prefix = first[: len(first) - digits]
        template = prefix.replace("%", "%%") + "%d"
        try:
            numbers = array("q", map(int, map(itemgetter(slice(len(prefix), None)), values)))
        except (ValueError, TypeError, OverflowError):
            return None
        # Kept only if every id reads back exactly (no padding, sign or separator lost).
        return _Numbered(template, numbers) if list(map(template.__mod__, numbers)) == values else None


class Columns(Generic[T]):
    """An append-only sequence of records of one dataclass, stored as chunks of columns.

    `numbered` names the fields whose values are ids made of a prefix and a counter (`x17`): a
    chunk of them is kept as the numbers when every one reads back exactly.
    """

    def __init__(self, cls: type[T], numbered: tuple[str, ...] = ()) -> None:
        self.cls = cls
        specs = fields(cls)  # type: ignore[arg-type]
        self.names = tuple(f.name for f in specs)
        # `int | None` too: a chunk with a None in it stays a list (see _column).
        self._codes = tuple(
            "#" if f.name in numbered else _TYPECODES.get(str(f.type).removesuffix(" | None")) for f in specs
        )
        self._getters = tuple(attrgetter(name) for name in self.names)
        self._chunks: list[tuple[Any, ...]] = []
        self._starts: list[int] = []  # index of each chunk's first record
        self._stored = 0
        self._pending: list[T] = []
        self.append = self._pending.append  # a list's own append: no Python call per record

    def extend(self, records: Iterable[T]) -> None:
        self._pending.extend(records)

    def flush(self) -> None:
        """Move the records appended since the last flush into a chunk of columns."""
        pending = self._pending
        if not pending:
            return
        n = len(pending)
        columns = tuple(self._column(list(map(get, pending)), code) for get, code in zip(self._getters, self._codes,
                                                                                         strict=True))
        self._chunks.append(columns)
        self._starts.append(self._stored)
        self._stored += n
        pending.clear()

    @staticmethod
    def _column(values: list[Any], code: str | None) -> Any:
        first = values[0]
        if values.count(first) == len(values) and len(set(map(type, values))) == 1:
            return _Const(first, len(values))
        if code == "#":
            return _Numbered.of(values) or values
        # A typed array only when every value has the declared type (an int among floats would
        # come back as a float, and print differently).
        if code is not None and len(set(map(type, values))) == 1 and type(first).__name__ == _NAMES[code]:
            try:
                return array(code, values)
            except OverflowError:
                return values
        return values

    def add_chunk(self, columns: dict[str, Any], n: int) -> None:
        """Add `n` records given as columns (sequences of n values, or `const(value, n)`)."""
        self.flush()
        if n:
            self._chunks.append(tuple(columns[name] for name in self.names))
            self._starts.append(self._stored)
            self._stored += n

    def numbers(self, name: str) -> list[array[int]] | None:
        """A numbered field's numbers, chunk by chunk, if every chunk kept them as numbers."""
        self.flush()
        k = self.names.index(name)
        found = [columns[k].numbers for columns in self._chunks if isinstance(columns[k], _Numbered)]
        return found if len(found) == len(self._chunks) else None

    def __len__(self) -> int:
        return self._stored + len(self._pending)

    def column(self, name: str) -> Iterator[Any]:
        """Every record's value of one field, in order."""
        self.flush()
        k = self.names.index(name)
        return chain.from_iterable([columns[k] for columns in self._chunks])

    def __iter__(self) -> Iterator[T]:
        self.flush()
        return map(self.cls, *[self.column(name) for name in self.names])

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        self.flush()
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._stored))]
        if index < 0:
            index += self._stored
        if not 0 <= index < self._stored:
            raise IndexError(index)
        c = bisect.bisect_right(self._starts, index) - 1
        at = index - self._starts[c]
        return self.cls(*[col[at] for col in self._chunks[c]])

    def __repr__(self) -> str:
        return f"Columns({self.cls.__name__}, {len(self)} records in {len(self._chunks)} chunks)"


_NAMES = {"d": "float", "q": "int"}
