"""Certificates and keys of the local control plane: one CA, the apiserver's serving
certificate, an admin client certificate (group system:masters), the front-proxy client
certificate (for aggregated APIs), the real node's client certificate (`system:node:node-1`,
for the Node authorizer) and the service-account key.

Everything lives in `<state_dir>/pki/` and is created once, then reused, so a kubeconfig
written earlier stays valid across `down` / `up`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from diapo.cluster import network

_VALIDITY = dt.timedelta(days=3650)
NODE_NAME = "node-1"  # the real node (diapo.cluster.node.NAME)


class _Pem:
    """A PEM file of the PKI: `<pki.dir>/<name>`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, pki: Pki, owner: type | None = None) -> Path:
        return pki.dir / self.name


def _pair(stem: str) -> tuple[_Pem, _Pem]:
    """The certificate and key files `<stem>.crt` and `<stem>.key`."""
    return _Pem(f"{stem}.crt"), _Pem(f"{stem}.key")


@dataclass(frozen=True)
class Pki:
    """Paths of the PEM files the components and the kubeconfig use."""

    dir: Path

    ca_cert, ca_key = _pair("ca")
    serving_cert, serving_key = _pair("apiserver")
    admin_cert, admin_key = _pair("admin")
    front_proxy_cert, front_proxy_key = _pair("front-proxy-client")
    node_cert, node_key = _pair("node")
    sa_key, sa_pub = _Pem("sa.key"), _Pem("sa.pub")

    def files(self) -> list[Path]:
        """Every file this PKI consists of."""
        return [self.ca_cert, self.ca_key, self.serving_cert, self.serving_key,
                self.admin_cert, self.admin_key, self.front_proxy_cert, self.front_proxy_key,
                self.node_cert, self.node_key, self.sa_key, self.sa_pub]


def _write(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    tmp.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _issue(subject: x509.Name, key, issuer: x509.Name, signer, *, ca: bool = False,
           server_names: tuple[str, ...] = (), client: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate clock skew
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, encipher_only=False,
                          decipher_only=False), critical=True)
    else:
        usages = [ExtendedKeyUsageOID.CLIENT_AUTH] if client else [ExtendedKeyUsageOID.SERVER_AUTH]
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    if server_names:
        alt: list[x509.GeneralName] = []
        for name in server_names:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _name(common_name: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def ensure(directory: Path) -> Pki:
    """Create the PKI in `directory` unless a complete one is already there; return its paths."""
    pki = Pki(directory)
    if all(path.is_file() for path in pki.files()):
        return pki
    directory.mkdir(parents=True, exist_ok=True)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("diapo-local-ca")
    ca_cert = _issue(ca_name, ca_key, ca_name, ca_key, ca=True)

    serving_key = ec.generate_private_key(ec.SECP256R1())
    serving = _issue(_name("kube-apiserver"), serving_key, ca_name, ca_key, server_names=(
        "127.0.0.1", "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local", network.API_SERVICE_IP, network.NODE_IP))

    admin_key = ec.generate_private_key(ec.SECP256R1())
    admin = _issue(_name("diapo-admin", "system:masters"), admin_key, ca_name, ca_key,
                   client=True)

    node_key = ec.generate_private_key(ec.SECP256R1())
    node = _issue(_name(f"system:node:{NODE_NAME}", "system:nodes"), node_key, ca_name, ca_key,
                  client=True)

    # The apiserver's identity towards aggregated APIs (requestheader authentication).
    proxy_key = ec.generate_private_key(ec.SECP256R1())
    proxy = _issue(_name("front-proxy-client"), proxy_key, ca_name, ca_key, client=True)

    # Service-account tokens are signed with RSA, the algorithm every client expects.
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sa_pub = sa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)

    pem = serialization.Encoding.PEM
    _write(pki.ca_key, _key_pem(ca_key), private=True)
    _write(pki.serving_key, _key_pem(serving_key), private=True)
    _write(pki.admin_key, _key_pem(admin_key), private=True)
    _write(pki.sa_key, _key_pem(sa_key), private=True)
    _write(pki.sa_pub, sa_pub)
    _write(pki.serving_cert, serving.public_bytes(pem))
    _write(pki.admin_cert, admin.public_bytes(pem))
    _write(pki.front_proxy_key, _key_pem(proxy_key), private=True)
    _write(pki.front_proxy_cert, proxy.public_bytes(pem))
    _write(pki.node_key, _key_pem(node_key), private=True)
    _write(pki.node_cert, node.public_bytes(pem))
    _write(pki.ca_cert, ca_cert.public_bytes(pem))  # last: its presence marks completion
    return pki
