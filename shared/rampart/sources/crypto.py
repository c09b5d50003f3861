"""AES-256-CBC and PKCS#7 for the sources that encrypt their bodies (Feishu, DingTalk).

Both use AES-256-CBC but frame it differently (webhook-formats.md §1.3, §2.3): Feishu puts a
random IV in front of the ciphertext and pads to AES's 16-byte block; DingTalk (WeCom's
scheme) uses the key's first 16 bytes as the IV and pads to a **32-byte** block. So the
cipher runs without padding here and each source unpads with its own block size.

``cryptography`` is imported on first use, so a receiver that serves only unencrypted
sources never loads it (cold start). Nothing here logs or returns a key; errors are plain
``ValueError`` without the data, which the sources turn into a ``SourceError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

AES_BLOCK = 16


def _cipher(key: bytes, iv: bytes) -> Cipher[modes.CBC]:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(key) != 32:
        raise ValueError("an AES-256 key is 32 bytes")
    if len(iv) != AES_BLOCK:
        raise ValueError("the CBC IV is 16 bytes")
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Decrypt without removing padding; ValueError unless ``data`` is whole blocks."""
    if not data or len(data) % AES_BLOCK:
        raise ValueError("the ciphertext is not a whole number of AES blocks")
    decryptor = _cipher(key, iv).decryptor()
    out: bytes = decryptor.update(data) + decryptor.finalize()
    return out


def aes_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Encrypt already padded ``data`` (senders, tests and the encrypted DingTalk reply)."""
    if len(data) % AES_BLOCK:
        raise ValueError("the plaintext is not padded to whole AES blocks")
    encryptor = _cipher(key, iv).encryptor()
    out: bytes = encryptor.update(data) + encryptor.finalize()
    return out


def pkcs7_pad(data: bytes, block: int) -> bytes:
    """PKCS#7 to ``block`` bytes: always 1..block bytes of the pad length."""
    pad = block - len(data) % block
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes, block: int) -> bytes:
    """Strict PKCS#7 removal (as the official Lark SDK does): the last byte is 1..block and
    every pad byte equals it; anything else is a ValueError (wrong key or forged data)."""
    if not data or len(data) % AES_BLOCK:
        raise ValueError("the plaintext is not a whole number of blocks")
    pad = data[-1]
    if not 1 <= pad <= min(block, len(data)) or data[-pad:] != bytes([pad]) * pad:
        raise ValueError("the padding is not PKCS#7")
    return data[:-pad]
