"""The bytes of output a submission may leave in the grader and in the files it writes.

nbgrader's ``LimitOutput`` counts lines, and only once every output is in memory: one printed
110 MB line gave a 115 MB autograded notebook and a 118 MB feedback page, and the grader held it
all while the kernel ran. Three bounds, set in ``nbgrader_config.py`` (``c.LimitOutputBytes``):

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
* the same caps on the notebook once executed (:class:`LimitOutputBytes`, after nbgrader's
  ``LimitOutput``), measured as the bytes written to the autograded notebook; this also bounds
  the outputs a student stored in cells that are not re-run. nbgrader grade cells are left
  alone: their outputs are the judge's verdicts.
"""

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
from traitlets import Float, Type

__all__ = ["LimitOutputBytes", "CapOutputsWhileRunning", "BoundedKernelClient",
           "SignedMessagesOnly", "output_bytes", "truncation_note"]

MB = 1_000_000
#: What an error output keeps of its message and of each traceback line, at least.
_ERROR_CHARS = 2000
_ERROR_LINES = 50
#: Seconds without output after a dropped message that end the collection of a cell's output.
_QUIET_AFTER_DROP = 2.0
#: Outputs an update of one display id may reach, and display ids kept in all (nbclient walks
#: them on each update and each ``clear_output``: 20,000 outputs under one id cost the grader
#: 12 s of CPU, and the kernel was stopped as if it had ignored the interrupt).
_OUTPUTS_PER_DISPLAY_ID = 8
#: The iopub message types that are outputs (nbformat's); nbclient handles the others itself.
_OUTPUT_TYPES = frozenset({"execute_result", "display_data", "stream", "error"})
_DISPLAY_IDS = 1000


class LimitOutputBytes(NbGraderPreprocessor):
    """Keep at most ``cell_mb`` of output per cell and ``notebook_mb`` per notebook (as written
    to the autograded notebook), the rest replaced by a note saying so."""

    cell_mb = Float(1.0, help="Most output bytes kept per cell, MB.").tag(config=True)
    notebook_mb = Float(5.0, help="Most output bytes kept per notebook, MB.").tag(config=True)
    message_mb = Float(2.0, help="Largest message accepted from a kernel, MB; a longer one is "
                       "dropped with a note in its cell.").tag(config=True)

    def preprocess(self, nb, resources):
        used = 0
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.get("outputs") or utils.is_grade(cell):
                continue
            room = max(0, min(int(self.cell_mb * MB), int(self.notebook_mb * MB) - used))
            kept, size, dropped = _fit(cell.outputs, room)
            if dropped:
                kept.append(truncation_note(self, dropped, notebook=room < self.cell_mb * MB))
                self.log.warning("Cell %s: %d bytes of output dropped (over the output limit)",
                                 cell.get("id", "?"), dropped)
            cell.outputs = kept
            used += size
        return nb, resources


def output_bytes(output):
    """Bytes of ``output`` in a notebook file (its JSON)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def truncation_note(limits, dropped, notebook=False, message=False):
    """The line a cell gets when some of its output was not kept."""
    if message:
        text = (f"[grader] A message of this cell's output was over the {limits.message_mb:g} MB "
                "the grader accepts and was dropped.")
    elif notebook:
        text = (f"[grader] Output truncated: the notebook's outputs went over the "
                f"{limits.notebook_mb:g} MB the grader keeps; the rest was dropped.")
    else:
        text = (f"[grader] Output truncated: this cell's output went over the {limits.cell_mb:g} "
                f"MB the grader keeps per cell; the rest was dropped.")
    if dropped:
        text += f" ({dropped:,} bytes)"
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


class SignedMessagesOnly(AsyncZMQSocketChannel):
    """A kernel channel that drops what is not a message signed with the kernel's key.

    jupyter_client raises on the first such frame set ("Invalid Signature"); one badly signed
    frame set sent by a cell on its shell socket stopped nbclient, and nbgrader reported the
    submission not graded (no score: "a grader error, grade it again") instead of grading it.
    A kernel's nonsense is the kernel's: dropped, and the wait for the real message goes on."""

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not await self.socket.poll(None if left is None else int(left * 1000)):
                raise Empty
            frames = await self.socket.recv_multipart()
            try:
                _, signed = self.session.feed_identities(frames)
                return self.session.deserialize(signed)
            except Exception:  # noqa: BLE001 - not signed with the key, or not a message
                continue


class BoundedKernelClient(AsyncKernelClient):
    """jupyter_client's kernel client whose output channel (iopub) drops a message over
    ``LimitOutputBytes.message_mb`` (``zmq.MAXMSGSIZE``), and whose channels drop what the
    kernel did not sign (:class:`SignedMessagesOnly`). Set for every kernel the grader
    starts, the judging kernel's too, by ``c.AsyncKernelManager.client_class``. The size
    limit is on iopub only: the judge's probes are answered on the shell and stdin channels."""

    shell_channel_class = Type(SignedMessagesOnly)
    iopub_channel_class = Type(SignedMessagesOnly)
    stdin_channel_class = Type(SignedMessagesOnly)

    def connect_iopub(self, identity=None):
        limit = int(LimitOutputBytes(config=self.config).message_mb * MB)
        self.context.setsockopt(zmq.MAXMSGSIZE, limit)  # the context's default for new sockets
        try:
            return super().connect_iopub(identity=identity)
        finally:
            self.context.setsockopt(zmq.MAXMSGSIZE, -1)

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


class CapOutputsWhileRunning:
    """Mixin for nbclient's ``NotebookClient`` (the notebook kernel's executor): see the
    module docstring. The caps are :class:`LimitOutputBytes`'s."""

    def _output_limits(self):
        return LimitOutputBytes(config=self.config)

    def preprocess(self, nb, resources=None, km=None):
        self._received = {}        # cell index -> characters of output received
        self._received_total = 0
        self._noted = set()        # cells that got their truncation note
        self._display_sizes = {}   # display id -> the largest data shown under it
        self._errors_kept = set()  # cells whose first error was kept
        self._limits = self._output_limits()
        return super().preprocess(nb, resources, km)

    async def _dropped_since(self):
        """Whether the output channel lost its connection (a message over the limit)."""
        if getattr(self, "_drops_of", None) is not self.kc:  # a new client: watch it
            self._drops_of = self.kc
            self._drops = self.kc.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        drops = self._drops
        if drops.closed:
            return False
        seen = False
        while await drops.poll(0):
            await drops.recv_multipart()
            seen = True
        if seen:
            # libzmq does not reconnect after a protocol error (a message over MAXMSGSIZE):
            # connect again, or the cells after this one would get no output at all.
            socket, url = self.kc.iopub_channel.socket, self.kc._make_url("iopub")
            try:
                socket.disconnect(url)
            except zmq.ZMQError:
                pass
            socket.connect(url)
        return seen

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        dropped_at = None
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
            except Exception:  # noqa: BLE001 - queue.Empty: nothing for half a second
                msg = None
            if await self._dropped_since():
                dropped_at = time.monotonic()
                self._note(cell, cell_index, message=True)
            if msg is None:
                if dropped_at is not None and time.monotonic() - dropped_at > _QUIET_AFTER_DROP:
                    # The status message that closes the cell may have gone with the drop:
                    # stop collecting (nbclient still waits for the kernel's reply).
                    return
                continue
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
        if (sum(len(indices) for indices in shown.values()) >= _OUTPUTS_PER_DISPLAY_ID
                or (not shown and len(self._display_id_map) >= _DISPLAY_IDS)):
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

    def _note(self, cell_or_outputs, cell_index, notebook=False, message=False):
        noted = self.__dict__.setdefault("_noted", set())
        key = (cell_index, message)
        if key in noted:
            return
        noted.add(key)
        outs = cell_or_outputs.outputs if hasattr(cell_or_outputs, "outputs") else cell_or_outputs
        limits = getattr(self, "_limits", None) or self._output_limits()
        outs.append(truncation_note(limits, 0, notebook=notebook, message=message))
