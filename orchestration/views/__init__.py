"""Pages that look across the whole chain, one module each:

- ``dashboard``: the home page, with the pipeline, what waits on the user and the
  exceptions they own;
- ``trace``: the Peg Trace of one sales order line;
- ``changes``: the changes after booking (cancel a line or an order, change a quantity,
  close a PO line short) and the change form they share;
- ``exceptions``: the Exceptions work area and the resolution of a stored exception.
"""
