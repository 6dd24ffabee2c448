"""The bytes of output a submission may leave in the grader and in the files it writes.

nbgrader's ``LimitOutput`` counts lines, and only once every output is in memory: one printed
110 MB line gave a 115 MB autograded notebook and a 118 MB feedback page, and the grader held it
all while the kernel ran; a cell looping on ``display(...)`` kept the grader reading (some
0.4 ms of the grader's CPU per message, most of it nbformat validating each output) until the
cell's time limit. The bounds, set in ``nbgrader_config.py`` (``c.LimitOutputBytes``):

* ``message_mb``: the largest output message the grader accepts from a kernel. The kernel
  clients' output sockets get ``zmq.MAXMSGSIZE`` (:class:`BoundedKernelClient`): libzmq drops a longer message
  from its size header, before reading it, and closes that connection for good; the notebook
  kernel's output channel connects again. The cell gets a note; if the message that closed the
  cell was lost with it, the cell's outputs stop being collected after a quiet moment (not after
  nbclient's ``iopub_timeout``, which would stop the notebook); nbclient still waits for the
  kernel's reply.
* ``cell_mb`` and ``notebook_mb``, while outputs arrive (:class:`CapOutputsWhileRunning`, a
  base of :class:`~catvnoncat.steps.execute.ExecuteWithJudge`, the notebook kernel's executor):
  past a cell's or the notebook's budget, outputs are counted and dropped, with one note in the
  cell. Error outputs are always kept (they decide points), shortened.
* ``cell_messages`` and ``notebook_messages``: the messages the grader reads from the notebook
  kernel for one cell, and for the whole notebook (every frame counts, signed or not, this cell's
  or not: each costs the grader to read); ``read_mb``, the bytes it reads on the output channel
  for the whole notebook (each message is checked and parsed before it can be dropped: 1.9 MB
  messages cost some 4.5 ms each). Past any of them, the grader stops reading the cell's
  output, writes a note, and interrupts the kernel, as at the time limit: the cell ends there,
  the next cells run (a kernel that keeps the cell going past its time limit is stopped, as
  any). Too many frames on the reply channel stop the kernel: only a forged reply sends them.
  An honest notebook sends about 200 messages in all; the judge children discard their outputs
  in their own sandbox, so a graded point never depends on these caps.
* the same caps on the notebook once executed (:class:`LimitOutputBytes`, after nbgrader's
  ``LimitOutput``), measured as the bytes written to the autograded notebook; this also bounds
  the outputs a student stored in cells that are not re-run. nbgrader grade cells are left
  alone: their outputs are the judge's verdicts.
"""

import asyncio
import json
import time
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellExecutionComplete
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from jupyter_core.utils import run_sync

from ..judge.messages import catalog_for, render, say
from traitlets import Float, Int, Type

__all__ = ["LimitOutputBytes", "CapOutputsWhileRunning", "BoundedKernelClient",
           "SignedMessagesOnly", "MessageLimitReached", "ReplyDropped", "output_bytes",
           "truncation_note"]

MB = 1_000_000
#: What an error output keeps of its message and of each traceback line, at least.
_ERROR_CHARS = 2000
_ERROR_LINES = 50
#: Seconds without output after a dropped message that end the collection of a cell's output.
_QUIET_AFTER_DROP = 2.0
#: The iopub message types that are outputs (nbformat's); nbclient handles the others itself.
_OUTPUT_TYPES = frozenset({"execute_result", "display_data", "stream", "error"})
#: After a cell stopped at its message budget: quiet seconds, and frames dropped unread at
#: most, before the next cell.
_QUIET_BEFORE_NEXT_CELL = 0.05
_STALE_FRAMES = 20_000
#: Messages the notebook kernel's output channel holds for the grader (libzmq's RCVHWM).
_IOPUB_QUEUE = 64
#: Frames the reply channel may bring in a cell once the notebook's message budget is spent.
_REPLIES_PAST_THE_BUDGET = 10


class LimitOutputBytes(NbGraderPreprocessor):
    """Keep at most ``cell_mb`` of output per cell and ``notebook_mb`` per notebook (as written
    to the autograded notebook), the rest replaced by a note saying so."""

    cell_mb = Float(1.0, help="Most output bytes kept per cell, MB.").tag(config=True)
    notebook_mb = Float(5.0, help="Most output bytes kept per notebook, MB.").tag(config=True)
    message_mb = Float(2.0, help="Largest message accepted from a kernel, MB; a longer one is "
                       "dropped with a note in its cell.").tag(config=True)
    cell_messages = Int(2000, help="Most messages the grader reads from the notebook kernel "
                        "while one cell runs; past it the cell is interrupted, with a note."
                        ).tag(config=True)
    notebook_messages = Int(5000, help="Most messages the grader reads from the notebook kernel "
                            "in all; past it each cell still sending is interrupted, with a "
                            "note.").tag(config=True)
    # nbclient walks the outputs of display ids on every update and every clear_output: 20,000
    # outputs under one id cost the grader 12 s of CPU
    display_id_outputs = Int(8, help="Most outputs of a notebook that one display id's updates "
                             "reach; later ones under that id are kept as shown.").tag(config=True)
    display_ids = Int(1000, help="Most display ids whose updates reach their outputs; outputs "
                      "under a newer id are kept as shown.").tag(config=True)
    read_mb = Float(200.0, help="Most bytes the grader reads from the notebook kernel's output "
                    "channel in all, MB (each is checked and parsed before it can be dropped); "
                    "past it each cell still sending is interrupted, with a note."
                    ).tag(config=True)

    def preprocess(self, nb, resources):
        catalog = catalog_for((resources or {}).get("nbgrader", {}).get("assignment"))
        used = 0
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.get("outputs") or utils.is_grade(cell):
                continue
            room = max(0, min(int(self.cell_mb * MB), int(self.notebook_mb * MB) - used))
            kept, size, dropped = _fit(cell.outputs, room)
            if dropped:
                kept.append(truncation_note(self, dropped, notebook=room < self.cell_mb * MB,
                                            catalog=catalog))
                self.log.warning("Cell %s: %d bytes of output dropped (over the output limit)",
                                 cell.get("id", "?"), dropped)
            cell.outputs = kept
            used += size
        return nb, resources


def output_bytes(output):
    """Bytes of ``output`` in a notebook file (its JSON)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def truncation_note(limits, dropped, notebook=False, message=False, messages=None,
                    catalog=None):
    """The line a cell gets when some of its output was not kept, in the words of ``catalog``
    (the edition's, :func:`~catvnoncat.judge.messages.catalog_for`; default English).
    ``messages``: what stopped the cell: ``"cell"`` or ``"notebook"`` (the message counts),
    ``"bytes"`` (``read_mb``)."""
    if messages == "bytes":
        note = say("OUTPUT_NOTEBOOK_BYTES_READ", mb=f"{limits.read_mb:g}")
    elif messages == "cell":
        note = say("OUTPUT_CELL_MESSAGES", count=limits.cell_messages)
    elif messages == "notebook":
        note = say("OUTPUT_NOTEBOOK_MESSAGES", count=limits.notebook_messages)
    elif message:
        note = say("OUTPUT_MESSAGE_DROPPED", mb=f"{limits.message_mb:g}")
    elif notebook:
        note = say("OUTPUT_NOTEBOOK_TRUNCATED", mb=f"{limits.notebook_mb:g}")
    else:
        note = say("OUTPUT_CELL_TRUNCATED", mb=f"{limits.cell_mb:g}")
    text = render(note, catalog)
    if dropped:
        text += " " + render(say("OUTPUT_BYTES_DROPPED", count=f"{dropped:,}"), catalog)
    # display data, not a stream: nbclient would merge a stream into the cell's own text, where
    # nbgrader's LimitOutput may cut it off
    return NotebookNode(output_type="display_data", metadata={},
                        data={"text/plain": text})


def _shorten_error(output):
    output = NotebookNode(dict(output))
    output["ename"] = str(output.get("ename", ""))[:200]
    output["evalue"] = str(output.get("evalue", ""))[:_ERROR_CHARS]
    lines = list(output.get("traceback", []))
    output["traceback"] = [str(line)[:_ERROR_CHARS] for line in lines[-_ERROR_LINES:]]
    return output


def _cut_text(text, room):
    """``text`` cut so that its JSON takes at most ``room`` bytes."""
    cut = text[:room]
    while cut and len(json.dumps(cut, ensure_ascii=False).encode("utf-8")) > room:
        cut = cut[:len(cut) * 3 // 4]
    return cut


def _fit(outputs, room):
    """``(kept outputs, their bytes, bytes dropped)`` within ``room``; a cell's first error
    always kept (it decides points), further ones only within ``room``, as any output (a
    kernel can send any number of error messages: 2000 of them made a 200 MB notebook)."""
    kept, used, dropped, error_kept = [], 0, 0, False
    for output in outputs:
        size = output_bytes(output)
        if output.get("output_type") == "error":
            if size > _ERROR_CHARS * 4:
                output = _shorten_error(output)
                dropped += size - output_bytes(output)
                size = output_bytes(output)
            if not error_kept:
                error_kept = True
                kept.append(output)
                used += size
                continue
        if used + size <= room and not dropped:
            kept.append(output)
            used += size
            continue
        left = room - used - 200  # the stream's other keys
        if output.get("output_type") == "stream" and left > 0 and not dropped:
            text = _cut_text(str(output.get("text", "")), left)
            if text:
                output = NotebookNode(dict(output, text=text))
                kept.append(output)
                used += output_bytes(output)
                size -= output_bytes(output)
        dropped += max(size, 0)
    return kept, used, dropped


# -- while the kernel runs ------------------------------------------------------------------

def _rough_size(obj, limit):
    """Characters held by ``obj`` (strings and keys), counting stops once over ``limit``."""
    total, stack = 0, [obj]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            total += 1 + len(item)
            stack.extend(item)
        else:
            total += 8
    return total


class MessageLimitReached(Exception):
    """A channel has read the frames the cell being run may send (``stop_at``)."""


class ReplyDropped(Exception):
    """The reply channel lost its connection to the kernel: a message over ``message_mb``
    (the cell's reply, with an error message of megabytes) was dropped, unread."""


class SignedMessagesOnly(AsyncZMQSocketChannel):
    """A kernel channel that drops what is not a message signed with the kernel's key.

    jupyter_client raises on the first such frame set ("Invalid Signature"); one badly signed
    frame set sent by a cell on its shell socket stopped nbclient, and nbgrader reported the
    submission not graded (no score: "a grader error, grade it again") instead of grading it.
    A kernel's nonsense is the kernel's: dropped, and the wait for the real message goes on.

    Every frame set read is counted (``frames_read``); once it reaches ``stop_at`` (set by the
    executor for the cell being run, :class:`CapOutputsWhileRunning`), reading raises
    :class:`MessageLimitReached` instead: unsigned frames too cost the grader to read."""

    frames_read = bytes_read = 0
    stop_at = bytes_stop_at = None
    last_parent = None  # the request the last message read answers (the reply channel's)
    #: A coroutine function (the executor's, on the reply channel) that says whether the
    #: connection dropped a message since it was last asked; while waiting, it is asked every
    #: half second, and a drop raises :class:`ReplyDropped`.
    drop_check = None

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if ((self.stop_at is not None and self.frames_read >= self.stop_at)
                    or (self.bytes_stop_at is not None and self.bytes_read >= self.bytes_stop_at)):
                raise MessageLimitReached
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if self.drop_check is not None:
                wait = 0.5 if left is None else min(left, 0.5)
                if not await self.socket.poll(int(wait * 1000)):
                    if await self.drop_check():
                        raise ReplyDropped
                    if left is not None and left <= wait:
                        raise Empty
                    continue
            elif not await self.socket.poll(None if left is None else int(left * 1000)):
                raise Empty
            frames = await self.socket.recv_multipart()
            self.frames_read += 1
            self.bytes_read += sum(len(frame) for frame in frames)
            try:
                _, signed = self.session.feed_identities(frames)
                msg = self.session.deserialize(signed)
            except Exception:  # noqa: BLE001 - not signed with the key, or not a message
                continue
            self.last_parent = msg.get("parent_header", {}).get("msg_id")
            return msg


class BoundedKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client whose output channel (iopub) drops a message over
    ``LimitOutputBytes.message_mb`` (``zmq.MAXMSGSIZE``), and whose channels drop what the
    kernel did not sign (:class:`SignedMessagesOnly`). Set for every kernel the grader
    starts, by ``c.AsyncKernelManager.client_class``. The size limit is on the output and
    reply channels (the judge's probes do not use a kernel: :mod:`catvnoncat.probe.host`)."""

    shell_channel_class = Type(SignedMessagesOnly)
    iopub_channel_class = Type(SignedMessagesOnly)
    stdin_channel_class = Type(SignedMessagesOnly)

    def _bounded(self, connect, identity):
        limit = int(LimitOutputBytes(config=self.config).message_mb * MB)
        self.context.setsockopt(zmq.MAXMSGSIZE, limit)  # the context's default for new sockets
        try:
            return connect(identity=identity)
        finally:
            self.context.setsockopt(zmq.MAXMSGSIZE, -1)

    def connect_iopub(self, identity=None):
        # At most _IOPUB_QUEUE messages wait for the grader (libzmq's default, 1000 of up to
        # message_mb each: a thread sending 1.9 MB frames while the grader waited for a reply
        # took it to 1.8 GB); past it the kernel's side drops them, as for any slow reader.
        self.context.setsockopt(zmq.RCVHWM, _IOPUB_QUEUE)
        try:
            return self._bounded(super().connect_iopub, identity)
        finally:
            self.context.setsockopt(zmq.RCVHWM, 1000)

    def connect_shell(self, identity=None):
        # a reply is small; a forged one over the limit is dropped unread (the cell then
        # waits for a reply that never comes: its time limit stops the kernel)
        return self._bounded(super().connect_shell, identity)

    #: Seconds without an output message that end the drain after the kernel's start.
    quiet_after_start = 0.02

    async def wait_for_ready(self, timeout=None):
        """Wait until the kernel answers ``kernel_info`` and its output channel delivers, as
        jupyter_client does; then drain the output channel until it is quiet for
        :attr:`quiet_after_start` seconds, where jupyter_client waits 0.2 s (every graded
        notebook's start paid it). The executor reads only the output messages of its own
        requests, so a late start-up message cannot pass for a cell's output."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # the output channel is connected once it delivers a message
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await ensure_async(self.is_alive()):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=self.quiet_after_start))
            except Empty:
                return


async def _discard_waiting_frames(socket):
    """Drop the frames waiting on ``socket`` unread (no signature check, no parsing: some
    microseconds each), until it is quiet for :data:`_QUIET_BEFORE_NEXT_CELL` seconds or
    :data:`_STALE_FRAMES` are dropped: what a cell stopped at its message budget still sent
    would otherwise be read, at full cost, against the next cell's budget."""
    for _ in range(_STALE_FRAMES):
        if not await socket.poll(int(_QUIET_BEFORE_NEXT_CELL * 1000)):
            return
        await socket.recv_multipart(copy=False)


class CapOutputsWhileRunning:
    """Mixin for nbclient's ``NotebookClient`` (the notebook kernel's executor): see the
    module docstring. The caps are :class:`LimitOutputBytes`'s."""

    def _output_limits(self):
        return LimitOutputBytes(config=self.config)

    def preprocess(self, nb, resources=None, km=None):
        self._messages_read = 0    # messages read from the notebook kernel, all cells
        self._bytes_read = 0       # bytes of them read on its output channel
        self._received = {}        # cell index -> characters of output received
        self._received_total = 0
        self._noted = set()        # cells that got their truncation note
        self._display_sizes = {}   # display id -> the largest data shown under it
        self._errors_kept = set()  # cells whose first error was kept
        self._limits = self._output_limits()
        return super().preprocess(nb, resources, km)

    async def _dropped_since(self, channel="iopub"):
        """Whether ``channel`` lost its connection (a message over the limit) since last
        asked; it is connected again."""
        watched = self.__dict__.setdefault("_drops", {})
        if watched.get(channel, (None, None))[0] is not self.kc:  # a new client: watch it
            socket = getattr(self.kc, f"{channel}_channel").socket
            watched[channel] = (self.kc, socket.get_monitor_socket(zmq.EVENT_DISCONNECTED))
        drops = watched[channel][1]
        if drops.closed:
            return False
        seen = False
        while await drops.poll(0):
            await drops.recv_multipart()
            seen = True
        if seen:
            # libzmq does not reconnect after a protocol error (a message over MAXMSGSIZE):
            # connect again, or the cells after this one would get no output (no reply) at all.
            socket = getattr(self.kc, f"{channel}_channel").socket
            url = self.kc._make_url(channel)
            try:
                socket.disconnect(url)
            except zmq.ZMQError:
                pass
            socket.connect(url)
        return seen

    async def _reply_dropped(self):
        """Whether the reply channel dropped a message (a reply over ``message_mb``) while
        the kernel lives (a kernel that died closed it too: nbclient says so)."""
        if not await self._dropped_since("shell"):
            return False
        await asyncio.sleep(0.2)  # a dying kernel's process is seen gone by then
        return bool(await ensure_async(self.kc.is_alive()))

    # the messages a cell may send: counted on both channels the grader reads

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        """nbclient's, with the cell's message budget set on the kernel's channels
        (``cell_messages``, within what is left of ``notebook_messages``)."""
        limits = getattr(self, "_limits", None) or self._output_limits()
        kc = self.kc
        room = max(0, min(limits.cell_messages,
                          limits.notebook_messages - getattr(self, "_messages_read", 0)))
        channels = [getattr(kc, name, None) for name in ("iopub_channel", "shell_channel")]
        channels = [c for c in channels if isinstance(c, SignedMessagesOnly)]
        start = {id(c): c.frames_read for c in channels}
        read = getattr(self, "_bytes_read", 0)
        bytes_room = max(0, int(limits.read_mb * MB) - read)
        for channel in channels:
            # the reply channel keeps a few frames past the notebook's budget: its one reply
            # ends the cell (only a forged reply sends more)
            channel.stop_at = channel.frames_read + (
                room if channel is kc.iopub_channel else max(room, _REPLIES_PAST_THE_BUDGET))
        if isinstance(kc.iopub_channel, SignedMessagesOnly):
            kc.iopub_channel.bytes_stop_at = kc.iopub_channel.bytes_read + bytes_room
            bytes_start = kc.iopub_channel.bytes_read
        if isinstance(kc.shell_channel, SignedMessagesOnly):
            await self._dropped_since("shell")  # watched from now on (a drop since: connected)
            kc.shell_channel.drop_check = self._reply_dropped
        self._notebook_spent = room < limits.cell_messages or not bytes_room
        self._cell_room = min(room, bytes_room)
        if getattr(self, "_stale_output", False):
            self._stale_output = False
            await _discard_waiting_frames(kc.iopub_channel.socket)
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        finally:
            for channel in channels:
                channel.stop_at = channel.bytes_stop_at = channel.drop_check = None
            self._messages_read = getattr(self, "_messages_read", 0) + sum(
                c.frames_read - start[id(c)] for c in channels)
            if isinstance(kc.iopub_channel, SignedMessagesOnly):
                self._bytes_read = read + kc.iopub_channel.bytes_read - bytes_start

    # nbclient binds its sync name to its own coroutine at class creation: bind it again
    execute_cell = run_sync(async_execute_cell)

    async def _stop_at_the_message_limit(self, cell, cell_index):
        """The cell sent all the messages it may: note it, stop reading, interrupt the kernel
        (as at the time limit; the reply ends the cell, or the time limit stops the kernel)."""
        self._stale_output = True  # what the kernel still sends is discarded unread
        iopub = self.kc.iopub_channel
        over_bytes = iopub.bytes_stop_at is not None and iopub.bytes_read >= iopub.bytes_stop_at
        self._note(cell, cell_index, messages="bytes" if over_bytes else
                   "notebook" if self._notebook_spent else "cell")
        if over_bytes or self._notebook_spent:
            # Nothing more is read from this kernel's output channel: unsubscribed, the kernel
            # sends the grader nothing more. A thread left flooding it cost the grader 24 s of
            # CPU, dropping 50,000 stale frames before each of the 30 cells after it.
            try:
                iopub.socket.setsockopt(zmq.UNSUBSCRIBE, b"")
            except zmq.ZMQError:
                pass
        self.log.warning("Cell %d: over the output messages the grader reads; its output is "
                         "not read", cell_index + 1)
        # A cell that had no budget left has sent nothing yet (the kernel may not even have
        # started it): its output is not read, and only the time limit interrupts it.
        if self.km is not None and getattr(self, "_cell_room", 1):
            try:
                await ensure_async(self.km.interrupt_kernel())
            except Exception as error:  # noqa: BLE001 - the time limit still stops it
                self.log.warning("Could not interrupt the kernel: %s", error)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self._cell_msg_id = parent_msg_id  # the request the cell's reply answers
        dropped_at, quiet_replied = None, 0
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
            except MessageLimitReached:
                await self._stop_at_the_message_limit(cell, cell_index)
                return
            except Exception:  # noqa: BLE001 - queue.Empty: nothing for half a second
                msg = None
            else:
                # a message already waiting does not yield to the event loop: let the reply
                # and the time limit be seen while messages pour in
                await asyncio.sleep(0)
            if await self._dropped_since():
                dropped_at = time.monotonic()
                self._note(cell, cell_index, message=True)
            if msg is None:
                if dropped_at is not None and time.monotonic() - dropped_at > _QUIET_AFTER_DROP:
                    # The status message that closes the cell may have gone with the drop:
                    # stop collecting (nbclient still waits for the kernel's reply).
                    return
                if getattr(self.kc.shell_channel, "last_parent", None) == parent_msg_id:
                    # Replied, and quiet since: the status message that closes the cell was
                    # dropped on the way (libzmq drops a reader's messages past its queue:
                    # 1999 quick displays outran the grader), nbclient would wait for it
                    # iopub_timeout (30 s).
                    quiet_replied += 1
                    if quiet_replied >= 2:
                        return
                continue
            quiet_replied = 0
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                dropped_at = None if dropped_at is None else time.monotonic()
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return

    # outputs over the cell's or the notebook's budget are counted, not kept

    def process_message(self, msg, cell, cell_index):
        self._current = (cell, cell_index)  # where a dropped display update is noted
        return super().process_message(msg, cell, cell_index)

    def handle_comm_msg(self, outs, msg, cell_index):
        """Comm messages (widgets) are dropped: nbclient would keep every ``state`` a kernel
        sends, unbounded, and write it into the notebook's metadata; a ``jupyter.widget``
        comm without ``_model_module`` raised in the grader (the submission not graded, as
        if by our fault); an unknown target's name was logged as sent. No grade needs them."""
        return None

    def _update_display_id(self, display_id, msg):
        """nbclient replaces the data of every output shown under ``display_id``, whatever its
        size, outside :meth:`output`: 500 updates of 1.9 MB took the grader 1.2 GB above an
        honest submission. The growth is charged to the notebook's budget, as an output is;
        an update that does not fit is dropped, with the notebook's note."""
        places = self._display_id_map.get(display_id)
        count = sum(len(indices) for indices in places.values()) if places else 0
        if not count:
            return None
        limits = getattr(self, "_limits", None) or self._output_limits()
        content = msg.get("content", {})
        total = getattr(self, "_received_total", 0)
        room = max(0, int(limits.notebook_mb * MB) - total)
        size = _rough_size([content.get("data"), content.get("metadata")], room + 1)
        sizes = self.__dict__.setdefault("_display_sizes", {})
        grow = max(0, size - sizes.get(display_id, 0)) * count
        if grow > room:
            cell, cell_index = getattr(self, "_current", (None, None))
            if cell is not None:
                self._note(cell, cell_index, notebook=True)
            return None
        self._received_total = total + grow
        sizes[display_id] = max(size, sizes.get(display_id, 0))
        return super()._update_display_id(display_id, msg)

    def _display_id_to_keep(self, display_id, size):
        """``display_id``, or ``None`` past the outputs an update may reach (per id and in
        all): nbclient walks them on every update and every ``clear_output``."""
        if not display_id:
            return None
        shown = self._display_id_map.get(display_id, {})
        limits = getattr(self, "_limits", None) or self._output_limits()
        if (sum(len(indices) for indices in shown.values()) >= limits.display_id_outputs
                or (not shown and len(self._display_id_map) >= limits.display_ids)):
            return None
        sizes = self.__dict__.setdefault("_display_sizes", {})
        sizes[display_id] = max(size, sizes.get(display_id, 0))
        return display_id

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") not in _OUTPUT_TYPES:
            # nbclient logs any other type as sent ("unhandled iopub msg: <type>"): a kernel
            # wrote terminal escapes and a forged status line on the grader's console
            return None
        limits = getattr(self, "_limits", None) or self._output_limits()
        content = msg.get("content", {})
        cell_cap, notebook_cap = int(limits.cell_mb * MB), int(limits.notebook_mb * MB)
        received = getattr(self, "_received", {}).get(cell_index, 0)
        total = getattr(self, "_received_total", 0)
        room = min(cell_cap - received, notebook_cap - total)
        size = _rough_size(content, max(room, 0) + 1)
        self._received = getattr(self, "_received", {})
        self._received[cell_index] = received + min(size, cell_cap + 1)
        self._received_total = total + min(size, notebook_cap + 1)
        errors_kept = self.__dict__.setdefault("_errors_kept", set())
        if msg["msg_type"] == "error" and cell_index not in errors_kept:
            errors_kept.add(cell_index)  # the cell's first error decides points: kept
            msg = dict(msg, content=_shorten_error(content))
            return super().output(outs, msg, None, cell_index)
        if msg["msg_type"] == "error":
            msg = dict(msg, content=_shorten_error(content))
        if size <= room:
            display_id = self._display_id_to_keep(display_id, size)
            return super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "stream" and room > 0:
            text = str(content.get("text", ""))[:room]
            super().output(outs, dict(msg, content=dict(content, text=text)), None, cell_index)
        self._note(outs, cell_index, notebook=notebook_cap - total < cell_cap - received)
        return None

    def _note(self, cell_or_outputs, cell_index, notebook=False, message=False, messages=None):
        noted = self.__dict__.setdefault("_noted", set())
        key = (cell_index, message, messages is not None)
        if key in noted:
            return
        noted.add(key)
        outs = cell_or_outputs.outputs if hasattr(cell_or_outputs, "outputs") else cell_or_outputs
        limits = getattr(self, "_limits", None) or self._output_limits()
        outs.append(truncation_note(limits, 0, notebook=notebook, message=message,
                                    messages=messages, catalog=getattr(self, "_catalog", None)))
