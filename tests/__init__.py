"""The test suite: a package, so that tests/test_x.py and tests/browser/test_x.py can coexist."""
