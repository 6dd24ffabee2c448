"""What runs inside a student's kernel while it is graded: :mod:`.kernel`, sent in as text.

The grading process reads :data:`KERNEL_SOURCE` and executes it in the kernel; it never imports
anything from the kernel's side, and the kernel never imports this package.
"""

from pathlib import Path

#: The probe code the judge sends into each grading kernel.
KERNEL_SOURCE = Path(__file__).with_name("kernel.py")
