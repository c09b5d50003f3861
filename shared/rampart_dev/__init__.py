"""What only a developer's machine runs, kept out of every Function Compute build
(``tools/build.py`` copies ``shared/rampart`` alone, and a test proves nothing built imports
this package): ``rampart dev`` (``devstack`` deploys rampart onto localcloud, ``devserver``
serves FC's HTTP trigger in front of it, ``devcloud`` the SDK calls an operator makes once by
hand, ``cli_dev`` the verb), the HR systems' sender side (``hr_senders``), a pure model of
applying steps (``simulate``) and the benchmarks (``bench``, ``python -m rampart_dev.bench``).
"""

__all__ = ["cli_dev", "devcloud", "devserver", "devstack", "hr_senders", "simulate"]
