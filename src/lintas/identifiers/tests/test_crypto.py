"""Wallet addresses against the published test vectors: BIP-173, BIP-350, EIP-55, base58check, TRON."""

import pytest

from lintas.identifiers import normalize


def wallet(value, **options):
    return normalize(value, "crypto_wallet", **options)


# BIP-350, "Test vectors for v0-v16 native segregated witness addresses" (valid), with the witness version and
# program length implied by the scriptPubKey hex given in the BIP.
BIP350_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", 0, "p2wpkh", "mainnet"),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", 0, "p2wsh", "testnet"),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", 1, "segwit_v1", "mainnet"),
    ("BC1SW50QGDZ25J", 16, "segwit_v16", "mainnet"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", 2, "segwit_v2", "mainnet"),
    ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", 0, "p2wsh", "testnet"),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", 1, "p2tr", "testnet"),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", 1, "p2tr", "mainnet"),
]

# BIP-350, invalid segwit addresses (reason in the comment, as in the BIP).
BIP350_INVALID = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid human-readable part
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 instead of bech32m
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # bech32 instead of bech32m
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 instead of bech32m
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m instead of bech32
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # bech32m instead of bech32
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character in checksum
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # invalid witness version
    "bc1pw5dgrnzv",  # invalid program length (1 byte)
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # program length 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # invalid program length for witness version 0 (per BIP141)
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # zero padding of more than 4 bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding in 8-to-5 conversion
    "bc1gmk9yu",  # empty data section
]

# BIP-173, invalid addresses (all still invalid under BIP-350).
BIP173_INVALID = [
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",  # invalid human-readable part
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # invalid checksum
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",  # invalid witness version
    "bc1rw5uspcuh",  # invalid program length
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",  # invalid program length
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # invalid program length for witness version 0
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",  # mixed case
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # zero padding of more than 4 bits
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",  # non-zero padding in 8-to-5 conversion
    "bc1gmk9yu",  # empty data section
]

# BIP-173's valid v1+ examples were encoded with bech32; BIP-350 made exactly these invalid.
BIP173_V1_PLUS_NOW_INVALID = [
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
]


@pytest.mark.parametrize(("address", "version", "kind", "network"), BIP350_VALID)
def test_bip350_valid_segwit_addresses(address, version, kind, network):
    result = wallet(address)
    assert result.valid, result.errors
    assert result.value == "btc:" + address.lower()
    assert result.details["witness_version"] == version
    assert result.details["address_type"] == kind
    assert result.details["network"] == network
    assert result.details["chain_family"] == "btc"


@pytest.mark.parametrize("address", BIP350_INVALID + BIP173_INVALID + BIP173_V1_PLUS_NOW_INVALID)
def test_bip173_and_bip350_invalid_addresses(address):
    result = wallet(address)
    assert not result.valid
    assert result.errors


def test_bech32_checksum_kind_is_named_in_the_error():
    assert "bech32m checksum" in wallet("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd").errors[0]
    assert "bech32 checksum" in wallet("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh").errors[0]


# Base58check examples: the Bitcoin wiki's P2PKH and P2SH examples, the genesis block address, testnet.
@pytest.mark.parametrize(
    ("address", "kind", "network", "candidates"),
    [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh", "mainnet", ["bitcoin", "bitcoin-cash"]),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh", "mainnet", ["bitcoin", "bitcoin-cash", "litecoin"]),
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh", "mainnet", ["bitcoin", "bitcoin-cash"]),
        ("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "p2pkh", "testnet", ["bitcoin"]),
        ("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", "p2sh", "testnet", ["bitcoin"]),
    ],
)
def test_bitcoin_base58check(address, kind, network, candidates):
    result = wallet(address)
    assert result.valid
    assert result.value == "btc:" + address  # base58 is case-sensitive: kept as written
    assert result.details["address_type"] == kind
    assert result.details["network"] == network
    assert result.details["candidates"] == candidates


@pytest.mark.parametrize(
    "corrupted",
    ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"],
)
def test_base58check_detects_a_changed_character(corrupted):
    result = wallet(corrupted)
    assert not result.valid
    assert "checksum" in result.errors[0]


# EIP-55 test cases (all caps, all lower, normal): each is its own checksummed spelling.
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55)
def test_eip55_examples(address):
    result = wallet(address)
    assert result.valid
    assert result.value == "evm:" + address.lower()
    assert result.display == address  # the checksummed spelling is computed
    assert result.details["chain_family"] == "evm"


@pytest.mark.parametrize("address", EIP55[4:])
def test_eip55_wrong_case_is_invalid(address):
    body = address[2:]
    i = next(i for i, c in enumerate(body) if c.isalpha())
    flipped = "0x" + body[:i] + body[i].swapcase() + body[i + 1 :]
    result = wallet(flipped)
    assert not result.valid
    assert "EIP-55" in result.errors[0]
    assert result.value == "evm:" + address.lower()  # still comparable


def test_evm_lower_case_has_no_checksum_to_verify_and_lists_chains():
    result = wallet("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    assert result.valid
    assert result.details["eip55_checked"] is False
    assert "ethereum" in result.details["candidates"] and "bsc" in result.details["candidates"]


def test_chain_prefix_is_kept_in_details_not_in_value():
    result = wallet("bsc:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert result.value == "evm:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
    assert result.details["chain"] == "bsc"


# TRON: the developer documentation's example account (base58 and its 0x41-prefixed hex), USDT's contract.
def test_tron_examples():
    base58 = wallet("TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW")
    assert base58.valid
    assert base58.value == "tron:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"
    from_hex = wallet("415a523b449890854c8fc460ab602df9f31fe4293f")
    assert from_hex.value == base58.value
    assert wallet("trc20:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").value == "tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def test_tron_checksum_mismatch():
    result = wallet("TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMX")
    assert not result.valid
    assert "checksum" in result.errors[0]
    assert result.details["chain_family"] == "tron"


@pytest.mark.parametrize(
    ("address", "value", "family"),
    [
        ("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "xrp:rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "xrp"),
        ("LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "ltc:LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "ltc"),
        ("DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", "doge:DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L", "doge"),
        # cashaddr specification example (the same key as 1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu)
        (
            "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            "bch:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
            "bch",
        ),
        ("7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", "sol:7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", "sol"),
    ],
)
def test_other_chains(address, value, family):
    result = wallet(address)
    assert result.valid
    assert result.value == value
    assert result.details["chain_family"] == family


def test_solana_warns_that_it_has_no_checksum():
    result = wallet("7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV")
    assert any("no checksum" in w for w in result.warnings)


def test_xrp_checksum_mismatch():
    assert not wallet("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTj").valid


def test_payment_uri_is_reduced_to_the_address():
    result = wallet("bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=0.5&label=x")
    assert result.value == "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"


def test_transaction_hash_is_not_an_address():
    result = wallet("0x" + "ab" * 32)
    assert not result.valid
    assert "transaction hash" in result.errors[0]


def test_prefix_contradicting_the_address_warns():
    result = wallet("tron:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert result.value.startswith("evm:")
    assert any("prefix says tron" in w for w in result.warnings)
