"""Seccomp filters (classic BPF, assembled here) for the grading sandboxes.

:func:`no_file_locks` is given to bwrap (``--seccomp FD``) for the notebook kernel and the judge
host: ``flock()`` and fcntl's lock and lease commands fail with ``ENOLCK``. Two sandboxes (the
notebook kernel and the judge, or two students' under ``--workers 2``) see the same read-only
files under /usr; a lock on one of them is a channel between them (a red team passed 63 hidden
inputs through it). Nothing honest needs a lock there: HDF5 file locking is off in the sandbox's
environment and IPython history is disabled.

:func:`no_user_namespaces` is loaded by each judge child after it has set up its own namespaces:
student code then cannot create user namespaces nor use kernel keyrings (``--disable-userns`` does this for the
notebook kernel; the judge host needs one per child, so its sandbox cannot be created with it).

Both filters check the architecture field: x86_64 and aarch64 have their own system call
numbers; x32 calls on x86_64 fail with ENOSYS; on any other architecture the process is killed
(guessing numbers there would leave the channel open), so a sandbox on such a machine stops at
once instead of running unfiltered (:func:`supported` says so beforehand).
"""

from __future__ import annotations

import errno
import os
import platform
import struct

__all__ = ["no_file_locks", "no_user_namespaces", "LOCK_COMMANDS", "supported", "filter_fd"]

# BPF instruction classes and fields (linux/filter.h, linux/bpf_common.h).
_LD_W_ABS = 0x00 | 0x00 | 0x20    # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x05 | 0x10 | 0x00       # BPF_JMP | BPF_JEQ | BPF_K
_JSET_K = 0x05 | 0x40 | 0x00      # BPF_JMP | BPF_JSET | BPF_K
_JGE_K = 0x05 | 0x30 | 0x00       # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06 | 0x00              # BPF_RET | BPF_K

_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_KILL_PROCESS = 0x80000000

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6].
_NR, _ARCH = 0, 4


def _arg_low(index):
    """Offset of the low 32 bits of argument ``index`` (both architectures are little-endian)."""
    return 16 + 8 * index


_AUDIT_ARCH_X86_64 = 0xC000003E
_AUDIT_ARCH_AARCH64 = 0xC00000B7
_X32_SYSCALL_BIT = 0x40000000

#: System call numbers, per architecture.
_SYSCALLS = {
    _AUDIT_ARCH_X86_64: {"flock": 73, "fcntl": 72, "unshare": 272, "clone": 56, "clone3": 435,
                         "setns": 308, "add_key": 248, "request_key": 249, "keyctl": 250},
    _AUDIT_ARCH_AARCH64: {"flock": 32, "fcntl": 25, "unshare": 97, "clone": 220, "clone3": 435,
                          "setns": 268, "add_key": 217, "request_key": 218, "keyctl": 219},
}
_ARCH_OF_MACHINE = {"x86_64": _AUDIT_ARCH_X86_64, "aarch64": _AUDIT_ARCH_AARCH64,
                    "arm64": _AUDIT_ARCH_AARCH64}

#: fcntl commands that take, test or lease a lock: F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK,
#: F_OFD_SETLK, F_OFD_SETLKW, F_SETLEASE, F_GETLEASE.
LOCK_COMMANDS = (5, 6, 7, 36, 37, 38, 1024, 1025)
_CLONE_NEWUSER = 0x10000000


def _insn(code, jt=0, jf=0, k=0):
    return struct.pack("=HBBI", code, jt, jf, k)


def _errno(number):
    return _SECCOMP_RET_ERRNO | (number & 0xFFFF)


class _Program:
    """A straight-line BPF program whose forward jumps are given by label."""

    def __init__(self):
        self.items = []   # (code, jt label or int, jf label or int, k) or ("label", name)

    def label(self, name):
        self.items.append(("label", name))

    def emit(self, code, k=0, jt=0, jf=0):
        self.items.append((code, jt, jf, k))

    def assemble(self):
        positions, index = {}, 0
        for item in self.items:
            if item[0] == "label":
                positions[item[1]] = index
            else:
                index += 1
        out, index = [], 0
        for item in self.items:
            if item[0] == "label":
                continue
            code, jt, jf, k = item

            def offset(target):
                if isinstance(target, str):
                    distance = positions[target] - index - 1
                    if not 0 <= distance < 256:
                        raise ValueError(f"jump to {target} out of range")
                    return distance
                return target

            out.append(_insn(code, offset(jt), offset(jf), k))
            index += 1
        if len(out) > 4096:
            raise ValueError("BPF program too long")
        return b"".join(out)


def _program(rules):
    """A filter: for each architecture, ``rules(program, numbers, arch)`` emits its checks;
    every call they do not decide is allowed. Unknown architectures: every call killed."""
    program = _Program()
    program.emit(_LD_W_ABS, k=_ARCH)
    for arch in _SYSCALLS:
        program.emit(_JEQ_K, k=arch, jt=f"arch_{arch}")
    program.emit(_RET_K, k=_SECCOMP_RET_KILL_PROCESS)
    for arch, numbers in _SYSCALLS.items():
        program.label(f"arch_{arch}")
        program.emit(_LD_W_ABS, k=_NR)
        if arch == _AUDIT_ARCH_X86_64:
            program.emit(_JGE_K, k=_X32_SYSCALL_BIT, jt="deny_enosys")
        rules(program, numbers, arch)
        program.emit(_RET_K, k=_SECCOMP_RET_ALLOW)
    program.label("deny_enosys")
    program.emit(_RET_K, k=_errno(errno.ENOSYS))
    program.label("deny_enolck")
    program.emit(_RET_K, k=_errno(errno.ENOLCK))
    program.label("deny_eperm")
    program.emit(_RET_K, k=_errno(errno.EPERM))
    program.label("allow")
    program.emit(_RET_K, k=_SECCOMP_RET_ALLOW)
    return program.assemble()


def _lock_rules(program, numbers, arch):
    program.emit(_JEQ_K, k=numbers["flock"], jt="deny_enolck")
    program.emit(_JEQ_K, k=numbers["fcntl"], jf=f"after_fcntl_{arch}")
    program.emit(_LD_W_ABS, k=_arg_low(1))
    for command in LOCK_COMMANDS:
        program.emit(_JEQ_K, k=command, jt="deny_enolck")
    program.emit(_RET_K, k=_SECCOMP_RET_ALLOW)
    program.label(f"after_fcntl_{arch}")


def _userns_rules(program, numbers, arch):
    # Keyrings first: a uid's keys outlive a process (and are no business of a judge child).
    for call in ("add_key", "request_key", "keyctl"):
        program.emit(_JEQ_K, k=numbers[call], jt="deny_eperm")
    program.emit(_JEQ_K, k=numbers["clone3"], jt="deny_enosys")  # flags in memory: glibc
    program.emit(_JEQ_K, k=numbers["setns"], jt="deny_eperm")    # falls back to clone()
    for call in ("unshare", "clone"):
        program.emit(_JEQ_K, k=numbers[call], jf=f"after_{call}_{arch}")
        program.emit(_LD_W_ABS, k=_arg_low(0))
        program.emit(_JSET_K, k=_CLONE_NEWUSER, jt="deny_eperm", jf="allow")
        program.label(f"after_{call}_{arch}")


def no_file_locks():
    """BPF program (bytes of ``struct sock_filter``): flock and fcntl locks fail (ENOLCK)."""
    return _program(_lock_rules)


def no_user_namespaces():
    """BPF program: no new user namespace (unshare / clone with CLONE_NEWUSER, setns fail with
    EPERM; clone3 with ENOSYS, so that libc falls back to clone) and no kernel keyring (add_key,
    request_key, keyctl: EPERM), whose keys could outlive the child."""
    return _program(_userns_rules)


def supported(machine=None):
    """Whether the filters know this machine's system call numbers."""
    return (machine or platform.machine()) in _ARCH_OF_MACHINE


def filter_fd(program):
    """A readable descriptor holding ``program`` from its start (for ``bwrap --seccomp FD``)."""
    fd = os.memfd_create("catvnoncat-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
