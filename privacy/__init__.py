"""Personal data in the warehouse: where it lives (``catalogue``), how long it stays
(``retention``) and how one person is removed on request (``erasure``). Commands:
``python -m privacy erase --platform P --user-id ID`` and ``python -m privacy retention``;
docs/privacy.md."""
