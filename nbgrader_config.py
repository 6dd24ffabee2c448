"""nbgrader configuration of the catvnoncat course (the repository root is the course directory).

Plain `nbgrader generate_assignment|autograde|generate_feedback|export logistic_regression`,
run from this folder, use these settings; scripts pass no flags of their own.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "catvnoncat"
c.CourseDirectory.root = str(ROOT)
# Gradebook: SQLite file in the course folder unless an instructor points elsewhere.
c.CourseDirectory.db_url = os.environ.get("CATVNONCAT_GRADEBOOK_URL", f"sqlite:///{ROOT / 'gradebook.db'}")

# Only the notebook and the student-facing helpers are released; never the data or caches.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.h5", "feedback"]
