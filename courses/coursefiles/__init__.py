"""Courses as folders of files a teacher can keep in git (format 1; docs/course-format.md).

    <course>/
      course.yaml                  titles, age band, big ideas, units and lessons in order
      lessons/<slug>.en.md         each lesson's text in Markdown, English …
      lessons/<slug>.zh.md         … and Simplified Chinese
      exercises/<name>.yaml        each exercise: a quiz, or the settings of a notebook exercise
      exercises/<name>.ipynb       a notebook exercise's nbgrader source notebook (English)
      exercises/<name>.zh.ipynb    its Chinese twin (optional; same graded cells)
      assets/…                     pictures, small data files (png jpeg gif webp svg csv txt json)

Anything else at the top (README.md, LICENSE, .git) is ignored; hidden files are ignored
everywhere. Files in lessons/ and exercises/ that course.yaml does not use are errors (usually a
typo), and so are symbolic links.

course.yaml (fields in this order; * required)
    format: 1                    optional; the version of this format
    slug*                        lower-case letters, digits, "-", "_" (the course's address)
    title_en*, title_zh*         at most 200 characters each
    summary_en, summary_zh       both or neither (Markdown)
    age_band*                    6-8 | 9-11 | 12-14 | 15-17 | adult
    big_ideas                    list of perception, representation_reasoning, learning,
                                 natural_interaction, societal_impact
    public                       true: in every learner's catalogue (default false)
    published                    true: learners may open it (default false)
    units                        list, in order, of
        title_en*, title_zh*
        lessons                  list, in order, of
            slug*                the lesson's file stem: lessons/<slug>.en.md and .zh.md
            title_en*, title_zh*
            exercises            file names in exercises/, in order: [which-one-hears.yaml]

exercises/<name>.yaml (fields in this order; * required)
    kind*                        notebook, or a quiz kind (single_choice, multiple_choice,
                                 true_false, numeric, short_text, ordering, categorise, match)
    title*, title_zh*
    prompt_en, prompt_zh         Markdown; required for quizzes (the question)
    explanation_en, explanation_zh   Markdown, both or neither: shown after answering
    max_attempts                 a whole number ≥ 1; absent: unlimited
    published                    default true
    spec*                        quizzes only: the definition, shapes in courses/quiz/__init__.py
    limits                       notebooks only: sandbox limits, e.g. {cell_timeout: 60}
  A notebook exercise's source is exercises/<name>.ipynb beside it (nbgrader format, with
  solutions and hidden tests), and optionally exercises/<name>.zh.ipynb, whose graded cells
  (grade_id, kind, points, order) must match the English one.

Assets: content refers to them by their path inside assets/ — `![A robot](robot.svg)` in a
lesson, `image: robot.svg` on a quiz option — never with an "assets/" prefix or "..": the page
resolves that path under /courses/<slug>/assets/ (courses.markdown.asset_base). Links and images
that are absolute (https://…, /…) are left alone.

YAML is read strictly: no aliases (&/*), no duplicate keys, no unknown fields. Text is UTF-8.

`reader.read_course(path)` parses and checks a folder (CourseFolderInvalid lists every problem
with its file and field); `nbgrader_dir.read_nbgrader_course(path)` reads an nbgrader course
directory (source/<assignment>/*.ipynb) into the same shape; `importer.course_import(folder=…,
owner=…, replace=…)` stores it in one transaction, into the course's draft when learners have
work in it (`importer.course_validate_and_publish` then publishes it). Lesson slugs and
exercise keys are the file stems, so an export writes the same names back.

`writer.course_files(course)` / `writer.course_export(course=…, path=…)` write a course as a
folder in one canonical layout (`yaml_dumper`; docs/course-format.md, "Canonical form"): the
same course always gives the same bytes, and importing them gives the same course.

    manage.py import_course PATH [--replace] [--publish [--note TEXT]] [--owner USERNAME]
                                 [--slug SLUG] [--age-band BAND]
    manage.py export_course SLUG PATH [--force] [--draft]
"""
