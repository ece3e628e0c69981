"""Hit testing, selection and in-place editing of GridView cells (a mixin)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from visualizer.ui.convolution.grid_cells import Block


class GridInteraction:
    """Needs the GridView's blocks, cell size (cell_w, cell_h, title_h), `_cell_rect`,
    `_editor`, `_selected`, `_editing` and the `edited` / `message` signals."""

    def _find(self, key: tuple) -> tuple[Block, int, int] | None:
        for b in self.blocks:
            if b.key is None:
                continue
            for (vy, vx), _ in np.ndenumerate(b.values):
                if b.key(b.row0 + vy, b.col0 + vx) == key:
                    return b, b.row0 + vy, b.col0 + vx
        return None

    def cell_at(self, pos) -> tuple[Block, int, int] | None:
        for b in self.blocks:
            if b._rect.contains(pos) and pos.y() >= b._rect.y() + self.title_h:
                y0, _, x0, _ = b.padded_range()
                ty = y0 + (pos.y() - b._rect.y() - self.title_h) // self.cell_h
                tx = x0 + (pos.x() - b._rect.x()) // self.cell_w
                vy, vx = ty - b.row0, tx - b.col0
                if 0 <= vy < b.values.shape[0] and 0 <= vx < b.values.shape[1]:
                    return b, ty, tx
        return None

    def event(self, e) -> bool:
        if e.type() == e.Type.ToolTip:
            hit = self.cell_at(e.pos())
            b = hit[0] if hit else next((b for b in self.blocks if b._rect.contains(e.pos())), None)
            self.setToolTip(b.tooltip if b else "")
        return super().event(e)

    def mousePressEvent(self, e) -> None:  # noqa: N802
        hit = self.cell_at(e.position().toPoint())
        self._selected = hit if hit and hit[0].key else None
        self.update()
        if hit and e.button() == Qt.LeftButton:
            self.clicked_cell.emit(hit)
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802
        hit = self.cell_at(e.position().toPoint())
        key = (hit[0].title, hit[1], hit[2]) if hit else None
        if key != self._hover_key:
            self._hover_key = key
            self.hovered.emit(hit)
        super().mouseMoveEvent(e)

    def leaveEvent(self, e) -> None:  # noqa: N802
        if self._hover_key is not None:
            self._hover_key = None
            self.hovered.emit(None)
        super().leaveEvent(e)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802
        hit = self.cell_at(e.position().toPoint())
        if hit and hit[0].key:
            self.start_edit(*hit)
        elif hit:
            self.message.emit("Output cells are computed; edit the input or the weights.")

    def keyPressEvent(self, e) -> None:  # noqa: N802
        text = e.text()
        if self._selected and text and (text[0].isdigit() or text[0] in "-.+"):
            self.start_edit(*self._selected, initial=text)
        elif self._selected and e.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_F2):
            self.start_edit(*self._selected)
        else:
            super().keyPressEvent(e)

    def start_edit(self, b: Block, ty: int, tx: int, initial: str | None = None) -> None:
        self._selected = (b, ty, tx)
        self._editing = b.key(ty, tx)
        v = b.values[ty - b.row0, tx - b.col0]
        self._editor.setText(initial if initial is not None else f"{v:g}")
        self._editor.setGeometry(self._cell_rect(b, ty, tx).adjusted(-8, -2, 8, 2))
        self._editor.show()
        self._editor.setFocus()
        if initial is None:
            self._editor.selectAll()

    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if obj is self._editor and e.type() == e.Type.KeyPress and e.key() == Qt.Key_Escape:
            self._editing = None  # cancel: editingFinished will find nothing to commit
            self._editor.hide()
            self.setFocus()
            return True
        return super().eventFilter(obj, e)

    def _commit(self) -> None:
        if self._editing is None:
            return
        key, self._editing = self._editing, None
        text = self._editor.text()
        self._editor.hide()
        self.setFocus()
        self.edited.emit(key, text)

    @property
    def editor(self) -> QLineEdit:
        return self._editor
