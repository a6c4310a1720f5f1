import re

import pytest


def conv3x3_latency(arch):
    """A user's latency model for the tests: 0.5 ms + 1 ms per 3x3 conv, 0.2 ms per 1x1 conv."""
    return 0.5 + arch.count("nor_conv_3x3") + 0.2 * arch.count("nor_conv_1x1")


@pytest.fixture
def latency():
    return conv3x3_latency
