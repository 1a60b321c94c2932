"""Blind tokens are HMAC-SHA256 under the community key, whatever the key's length."""

import hashlib
import hmac

import pytest

from lintas.matching.tokens import TOKEN_HEX_LENGTH, token_for


@pytest.mark.parametrize("length", [1, 32, 63, 64, 65, 200])
def test_a_token_is_the_hmac_of_the_match_key(length):
    keys = [bytes((n * 7 + length) % 256 for n in range(length)), b"\xff" * length]
    for match_key in ("phone:+66812345678", "person_name:nguyễn văn a", "x"):
        for key in keys:  # alternating keys: the HMAC kept for one key is never used for another
            expected = hmac.new(key, match_key.encode(), hashlib.sha256).hexdigest()[:TOKEN_HEX_LENGTH]
            assert token_for(key, match_key) == expected
            assert token_for(key, match_key) == expected  # the kept HMAC is copied, not consumed
    assert token_for(keys[0], "") == ""
