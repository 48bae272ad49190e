"""Renamed keywords, still accepted with a warning: one place for every deprecation.

habitat 0.2 spells colour one way (``colour=``, ``fill_colour=``) and puts the
unit in every numeric name (``coordinate_decimals=``, ``bandwidth_m=``,
``cell_size_m=``). The 0.1 spellings keep working, with a
:class:`DeprecationWarning` that names the new keyword: as a decorator
(:func:`renamed_keywords`) where the rename is a pure rename, or as a call
(:func:`renamed_parameter`) where the function must see which name was used.

Examples
--------
>>> import warnings
>>> @renamed_keywords(color="colour")
... def paint(*, colour: str = "red") -> str:
...     return colour
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     paint(color="blue")
'blue'
>>> caught[0].category.__name__
'DeprecationWarning'
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from habitat.core.errors import InputError

__all__ = ["renamed_keywords", "renamed_parameter"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Decorate a function so that old keyword names still work, with a warning.

    Parameters
    ----------
    **old_to_new : str
        Old keyword name -> new keyword name.

    Returns
    -------
    callable
        The decorator. A call with an old name passes the value under the new
        name and warns (:class:`DeprecationWarning`, pointing at the caller);
        a call that gives both names raises :class:`habitat.core.errors.InputError`.

    Examples
    --------
    >>> import warnings
    >>> @renamed_keywords(cell_size="cell_size_m")
    ... def grid(*, cell_size_m: float = 200.0) -> float:
    ...     return cell_size_m
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     grid(cell_size=100.0)
    100.0
    >>> print(caught[0].message)
    grid(cell_size=...) is deprecated; use cell_size_m= instead (the old name will be ...
    >>> grid(cell_size=100.0, cell_size_m=50.0)
    Traceback (most recent call last):
    ...
    habitat.core.errors.InputError: grid() got both cell_size= and cell_size_m=; ...
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise InputError(
                        f"{func.__name__}() got both {old}= and {new}=; {old}= is the "
                        f"deprecated spelling of {new}=, pass only {new}=."
                    )
                warnings.warn(
                    f"{func.__name__}({old}=...) is deprecated; use {new}= instead "
                    "(the old name will be removed in a later release).",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__dict__["renamed_keywords"] = dict(old_to_new)
        return wrapper  # type: ignore[return-value]

    return decorate


def renamed_parameter(
    old: str, new: str, old_value: Any, new_value: Any, *, where: str, stacklevel: int = 3
) -> Any:
    """The value of a renamed keyword: ``new_value``, or ``old_value`` with a DeprecationWarning.

    Parameters
    ----------
    old, new : str
        The old and the new parameter name (``"cell_size"``, ``"cell_size_m"``).
    old_value, new_value : object
        What the caller passed to each (``None`` when not passed).
    where : str
        The function, for the message (``"habitat.homerange.kde.volume_percent"``).
    stacklevel : int
        Passed to :func:`warnings.warn` (3 points at the caller of ``where``).

    Raises
    ------
    InputError
        If both names were given.

    Examples
    --------
    >>> import warnings
    >>> renamed_parameter("cell_size", "cell_size_m", None, 50.0, where="grid")
    50.0
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed_parameter("cell_size", "cell_size_m", 100.0, None, where="grid")
    100.0
    >>> caught[0].category.__name__
    'DeprecationWarning'
    """
    if old_value is None:
        return new_value
    if new_value is not None:
        raise InputError(f"{where}: give {new}= only ({old}= is its old name), not both.")
    warnings.warn(
        f"{where}: the parameter {old}= is renamed {new}= (units in the name); "
        f"pass {new}={old_value!r} instead (the old name will be removed in a later release)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return old_value
