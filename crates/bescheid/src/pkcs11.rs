//! PKCS#11 seal keys (placeholder while being written).
