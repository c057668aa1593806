#!/usr/bin/env python3
"""PaddleOCR's DB detector post-process and box matching, in numpy only.

    /usr/bin/python3 utils/det_postprocess.py --self-test
    /usr/bin/python3 utils/det_postprocess.py PROB.npy [REF_PROB.npy]

As a library (utils/bench_det_accuracy.py):

    boxes = db_boxes(prob)                 # prob: HxW (or 1x1xHxW) map
    match = match_boxes(ref_boxes, boxes)  # recall, precision, merges, ...

db_boxes follows PaddleOCR's DBPostProcess (thresh 0.3, box_thresh 0.6,
unclip_ratio 1.5, min_size 3, score_mode "fast", no dilation, box_type
"quad"), with the OpenCV and pyclipper calls replaced by numpy:

  1. bitmap = prob > thresh;
  2. 8-connected components of the bitmap (what cv2.findContours' outer
     contours enclose), labelled by a union-find over horizontal runs;
     components with fewer than min_pixels pixels are dropped;
  3. each component's box is the minimum-area rectangle of its pixel
     centres (cv2.minAreaRect of its contour, by rotating calipers over
     the convex hull), so slightly rotated lines keep tight boxes; boxes
     with a side below min_size are dropped;
  4. box score = mean probability of the pixels inside the box (PaddleOCR's
     fast score); boxes scoring below box_thresh are dropped;
  5. unclip: a w x h box grows by d = area * unclip_ratio / perimeter
     = w h 1.5 / (2 (w + h)) on every side (pyclipper's rounded offset,
     whose minimum-area rectangle is what PaddleOCR keeps); boxes with a
     side below min_size + 2 after that are dropped; corners are clipped
     to the map.

Boxes are float arrays of rotated rectangles, N x 4 x 2 corners (x, y) in
map pixels, clockwise on screen. The matching functions also accept
axis-aligned N x 4 [x0, y0, x1, y1] boxes; overlaps are exact polygon
intersections (Sutherland-Hodgman on the convex quads).

match_boxes pairs test boxes with reference boxes one to one, greedily by
decreasing IoU, accepting pairs with IoU >= 0.7, and reports recall
(matched / reference boxes) and precision (matched / test boxes), plus how
many test boxes merge several reference boxes and how many reference boxes
are split into several test boxes (a box "covers" another when their
intersection is at least half of the other's area).
"""

import argparse
import sys

import numpy as np

THRESH = 0.3
BOX_THRESH = 0.6
UNCLIP_RATIO = 1.5
MIN_SIZE = 3
MIN_PIXELS = 10
MATCH_IOU = 0.7


def _runs(bitmap):
    """Horizontal runs of True pixels: arrays row, start, end (exclusive)."""
    h, w = bitmap.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = bitmap
    diff = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(diff == 1)
    rows_e, ends = np.nonzero(diff == -1)
    # np.nonzero is row-major, so starts and ends pair up in order.
    assert np.array_equal(rows_s, rows_e)
    return rows_s, starts, ends


def label_components(bitmap):
    """8-connected components of a boolean HxW array.

    Returns (labels, count): labels is an int32 HxW array, 0 for background
    and 1..count for the components, numbered in raster order of their
    first pixel.
    """
    bitmap = np.asarray(bitmap, dtype=bool)
    rows, starts, ends = _runs(bitmap)
    n = len(rows)
    parent = list(range(n))

    def find(i):
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:  # path compression
            parent[i], i = root, parent[i]
        return root

    # Runs of each row, as index ranges into the run arrays.
    row_begin = np.searchsorted(rows, np.arange(bitmap.shape[0] + 1))
    for r in range(1, bitmap.shape[0]):
        a, a_end = row_begin[r - 1], row_begin[r]
        b, b_end = row_begin[r], row_begin[r + 1]
        # Two-pointer sweep: runs [s1, e1) above and [s2, e2) below touch
        # (8-connectivity) when s1 <= e2 and s2 <= e1.
        while a < a_end and b < b_end:
            if starts[a] <= ends[b] and starts[b] <= ends[a]:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            if ends[a] < ends[b]:
                a += 1
            else:
                b += 1
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    unique, compact = np.unique(roots, return_inverse=True)
    labels = np.zeros(bitmap.shape, dtype=np.int32)
    for r, s, e, lab in zip(rows, starts, ends, compact + 1):
        labels[r, s:e] = lab
    return labels, len(unique)


def _components(bitmap):
    """Per component: the pixel centres of its runs' ends (x, y) and size."""
    rows, starts, ends = _runs(bitmap)
    labels, count = label_components(bitmap)
    if count == 0:
        return [], np.zeros(0, dtype=np.int64)
    comp = labels[rows, starts] - 1
    order = np.argsort(comp, kind="stable")
    bounds = np.searchsorted(comp[order], np.arange(count + 1))
    points = []
    for c in range(count):
        idx = order[bounds[c]:bounds[c + 1]]
        # The convex hull of a component's pixel centres is that of its runs'
        # first and last pixels.
        xs = np.concatenate([starts[idx], ends[idx] - 1])
        ys = np.concatenate([rows[idx], rows[idx]])
        points.append(np.stack([xs, ys], axis=1).astype(np.float64))
    sizes = np.bincount(comp, weights=ends - starts, minlength=count)
    return points, sizes.astype(np.int64)


def convex_hull(points):
    """Convex hull (counter-clockwise in x-right/y-down, no repeats) of N x 2
    points, by Andrew's monotone chain."""
    pts = np.unique(np.asarray(points, dtype=np.float64), axis=0)
    if len(pts) <= 2:
        return pts

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and (
                    (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                    - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def min_area_rect(points):
    """Minimum-area enclosing rectangle of N x 2 points (rotating calipers
    over the hull's edge directions): (centre, (width, height), angle)
    with width along the angle's direction, angle in radians."""
    hull = convex_hull(points)
    if len(hull) == 1:
        return hull[0], (0.0, 0.0), 0.0
    edges = np.roll(hull, -1, axis=0) - hull
    angles = np.unique(np.mod(np.arctan2(edges[:, 1], edges[:, 0]), np.pi / 2))
    angles = np.concatenate([[0.0], angles])  # ties prefer axis alignment
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
    u = hull[None, :, 0] * cos + hull[None, :, 1] * sin    # along the angle
    v = -hull[None, :, 0] * sin + hull[None, :, 1] * cos   # across it
    areas = (u.max(1) - u.min(1)) * (v.max(1) - v.min(1))
    k = int(np.argmin(areas + 1e-9 * np.arange(len(areas))))
    a = angles[k]
    cu, cv = (u[k].max() + u[k].min()) / 2, (v[k].max() + v[k].min()) / 2
    centre = np.array([cu * np.cos(a) - cv * np.sin(a),
                       cu * np.sin(a) + cv * np.cos(a)])
    return centre, (u[k].max() - u[k].min(), v[k].max() - v[k].min()), a


def rect_corners(centre, size, angle):
    """The 4 corners (4 x 2) of a rotated rectangle, clockwise on screen
    (x right, y down), starting at the top-left one for small angles."""
    w, h = size
    along = np.array([np.cos(angle), np.sin(angle)]) * w / 2
    across = np.array([-np.sin(angle), np.cos(angle)]) * h / 2
    return np.array([centre - along - across, centre + along - across,
                     centre + along + across, centre - along + across])


def _polygon_mean(prob, quad):
    """Mean of prob over the pixels whose centres lie in a convex quad (the
    box score of PaddleOCR's score_mode "fast")."""
    h, w = prob.shape
    x0, y0 = max(int(np.floor(quad[:, 0].min())), 0), max(int(np.floor(quad[:, 1].min())), 0)
    x1 = min(int(np.ceil(quad[:, 0].max())), w - 1)
    y1 = min(int(np.ceil(quad[:, 1].max())), h - 1)
    if x1 < x0 or y1 < y0:
        return 0.0
    yy, xx = np.mgrid[y0:y1 + 1, x0:x1 + 1].astype(np.float64)
    inside = np.ones(xx.shape, dtype=bool)
    for i in range(4):
        (ax, ay), (bx, by) = quad[i], quad[(i + 1) % 4]
        # Clockwise on screen: inside is where the cross product is >= 0.
        inside &= (bx - ax) * (yy - ay) - (by - ay) * (xx - ax) >= -1e-6
    if not inside.any():
        return 0.0
    return float(prob[y0:y1 + 1, x0:x1 + 1][inside].mean())


def db_boxes(prob, thresh=THRESH, box_thresh=BOX_THRESH,
             unclip_ratio=UNCLIP_RATIO, min_size=MIN_SIZE,
             min_pixels=MIN_PIXELS, return_scores=False):
    """Text boxes of a DB probability map (HxW, or 1x1xHxW): N x 4 x 2
    corners of rotated rectangles, in map pixels."""
    prob = np.asarray(prob, dtype=np.float64)
    prob = prob.reshape(prob.shape[-2:])
    h, w = prob.shape
    points, sizes = _components(prob > thresh)
    boxes, scores = [], []
    for pts, size in zip(points, sizes):
        if size < min_pixels:
            continue
        centre, (bw, bh), angle = min_area_rect(pts)
        if min(bw, bh) < min_size:
            continue
        score = _polygon_mean(prob, rect_corners(centre, (bw, bh), angle))
        if score < box_thresh:
            continue
        d = bw * bh * unclip_ratio / (2.0 * (bw + bh))
        if min(bw, bh) + 2 * d < min_size + 2:
            continue
        quad = rect_corners(centre, (bw + 2 * d, bh + 2 * d), angle)
        quad[:, 0] = np.clip(quad[:, 0], 0, w)
        quad[:, 1] = np.clip(quad[:, 1], 0, h)
        boxes.append(quad)
        scores.append(score)
    boxes = np.array(boxes, dtype=np.float64).reshape(-1, 4, 2)
    if return_scores:
        return boxes, np.array(scores)
    return boxes


def _area(poly):
    """Area of a polygon (shoelace), any orientation."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _clip(subject, clipper):
    """Sutherland-Hodgman: the part of convex polygon subject inside convex
    polygon clipper (both as lists of (x, y), same orientation)."""
    def side(p, a, b):
        return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])

    sign = 1.0 if side(clipper[2], clipper[0], clipper[1]) >= 0 else -1.0
    output = list(subject)
    for i in range(len(clipper)):
        a, b = clipper[i], clipper[(i + 1) % len(clipper)]
        inputs, output = output, []
        if not inputs:
            break
        prev = inputs[-1]
        for cur in inputs:
            sc, sp = sign * side(cur, a, b), sign * side(prev, a, b)
            if sc >= 0:
                if sp < 0:
                    t = sp / (sp - sc)
                    output.append((prev[0] + t * (cur[0] - prev[0]),
                                   prev[1] + t * (cur[1] - prev[1])))
                output.append(cur)
            elif sp >= 0:
                t = sp / (sp - sc)
                output.append((prev[0] + t * (cur[0] - prev[0]),
                               prev[1] + t * (cur[1] - prev[1])))
            prev = cur
    return np.array(output, dtype=np.float64).reshape(-1, 2)


def as_quads(boxes):
    """N x 4 x 2 quads from N x 4 x 2 quads or N x 4 [x0, y0, x1, y1]."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim == 3:
        return boxes
    boxes = boxes.reshape(-1, 4)
    x0, y0, x1, y1 = boxes.T
    return np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1),
                     np.stack([x1, y1], 1), np.stack([x0, y1], 1)], axis=1)


def intersections(a, b):
    """Intersection areas of convex quads a (N x 4 x 2) and b (M x 4 x 2),
    N x M (axis-aligned [x0, y0, x1, y1] boxes are accepted too)."""
    a, b = as_quads(a), as_quads(b)
    out = np.zeros((len(a), len(b)))
    if not len(a) or not len(b):
        return out
    lo_a, hi_a = a.min(axis=1), a.max(axis=1)
    lo_b, hi_b = b.min(axis=1), b.max(axis=1)
    overlap = np.all((lo_a[:, None] < hi_b[None]) & (lo_b[None] < hi_a[:, None]),
                     axis=2)
    for i, j in np.argwhere(overlap):
        out[i, j] = _area(_clip([tuple(p) for p in a[i]], [tuple(p) for p in b[j]]))
    return out


def _areas(quads):
    return np.array([_area(q) for q in quads])


def iou_matrix(a, b, inter=None):
    """IoU of boxes a against boxes b (see intersections), N x M."""
    a, b = as_quads(a), as_quads(b)
    inter = intersections(a, b) if inter is None else inter
    union = _areas(a)[:, None] + _areas(b)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def match_boxes(ref, test, iou_thresh=MATCH_IOU):
    """Greedy one-to-one matching of test boxes against reference boxes.

    Returns a dict: matched, recall, precision, pairs [(ref_i, test_j, iou)],
    merged (test boxes covering >= 2 reference boxes) and split (reference
    boxes covered by >= 2 test boxes). Recall is 1 without reference boxes,
    precision 1 without test boxes.
    """
    ref, test = as_quads(ref), as_quads(test)
    inter = intersections(ref, test)
    iou = iou_matrix(ref, test, inter)
    candidates = np.argwhere(iou >= iou_thresh)
    order = np.argsort(-iou[candidates[:, 0], candidates[:, 1]], kind="stable")
    used_ref, used_test, pairs = set(), set(), []
    for i, j in candidates[order]:
        if i not in used_ref and j not in used_test:
            used_ref.add(i)
            used_test.add(j)
            pairs.append((int(i), int(j), float(iou[i, j])))
    covers_ref = inter >= 0.5 * np.maximum(_areas(ref)[:, None], 1e-9)
    covers_test = inter >= 0.5 * np.maximum(_areas(test)[None, :], 1e-9)
    merged = int(np.sum(covers_ref.sum(axis=0) >= 2))
    split = int(np.sum(covers_test.sum(axis=1) >= 2))
    return {
        "matched": len(pairs),
        "recall": len(pairs) / len(ref) if len(ref) else 1.0,
        "precision": len(pairs) / len(test) if len(test) else 1.0,
        "pairs": pairs,
        "merged": merged,
        "split": split,
    }


def self_test():
    """Checks the labeller, db_boxes and match_boxes on synthetic maps."""
    rng = np.random.default_rng(0)
    # Labeller against a brute-force flood fill on random bitmaps.
    for _ in range(20):
        bitmap = rng.random((40, 50)) < 0.45
        labels, count = label_components(bitmap)
        seen = np.zeros_like(bitmap)
        ref_count = 0
        for y, x in zip(*np.nonzero(bitmap)):
            if seen[y, x]:
                continue
            ref_count += 1
            stack, members = [(y, x)], []
            seen[y, x] = True
            while stack:
                cy, cx = stack.pop()
                members.append((cy, cx))
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        ny, nx = cy + dy, cx + dx
                        if (0 <= ny < 40 and 0 <= nx < 50 and bitmap[ny, nx]
                                and not seen[ny, nx]):
                            seen[ny, nx] = True
                            stack.append((ny, nx))
            ids = {labels[p] for p in members}
            assert len(ids) == 1 and 0 not in ids, "component split"
        assert count == ref_count, (count, ref_count)
        assert np.array_equal(labels > 0, bitmap)

    # A map with known text regions (x0, y0, x1, y1 inclusive pixels, in
    # raster order of their first pixel, the order of db_boxes' output).
    prob = np.full((200, 300), 0.02)
    texts = [(10, 10, 109, 29), (150, 15, 289, 44), (120, 90, 249, 139),
             (20, 100, 79, 111)]
    for x0, y0, x1, y1 in texts:
        prob[y0:y1 + 1, x0:x1 + 1] = 0.9
    prob[170:190, 20:80] = 0.45      # above thresh, box score < 0.6: dropped
    prob[180:182, 200:203] = 0.95    # 6 pixels: dropped
    prob[160:163, 150:290] = 0.95    # 3 px high: side 2 < min_size, dropped
    prob[15:18, 40:43] = 0.0         # hole: still one component, same box
    boxes, scores = db_boxes(prob, return_scores=True)
    assert boxes.shape == (len(texts), 4, 2), boxes
    for (x0, y0, x1, y1), box in zip(texts, boxes):
        bw, bh = x1 - x0, y1 - y0
        d = bw * bh * 1.5 / (2 * (bw + bh))
        want = as_quads([[max(0, x0 - d), max(0, y0 - d),
                          min(300, x1 + d), min(200, y1 + d)]])[0]
        assert np.allclose(box, want), (box, want)
    assert np.all(scores > 0.85)
    assert len(db_boxes(prob.reshape(1, 1, 200, 300))) == len(texts)

    # A text line tilted by 3 degrees: its axis-aligned bounding box would be
    # half empty (score < 0.6); the rotated rectangle keeps it.
    yy, xx = np.mgrid[0:200, 0:300].astype(np.float64)
    angle = np.radians(3.0)
    u = (xx - 150) * np.cos(angle) + (yy - 100) * np.sin(angle)
    v = -(xx - 150) * np.sin(angle) + (yy - 100) * np.cos(angle)
    tilted = np.where((np.abs(u) <= 120) & (np.abs(v) <= 6), 0.9, 0.02)
    (box,), (score,) = db_boxes(tilted, return_scores=True)
    assert score > 0.8, score
    centre, (bw, bh), a = min_area_rect(box)
    d = 240 * 12 * 1.5 / (2 * (240 + 12))  # the unclip of a 240 x 12 line
    assert abs(a - angle) < 0.01, np.degrees(a)
    assert abs(bw - 240 - 2 * d) < 3 and abs(bh - 12 - 2 * d) < 3, (bw, bh)

    # Polygon IoU: a square against itself turned by 45 degrees.
    square = rect_corners(np.array([50.0, 50.0]), (20.0, 20.0), 0.0)
    diamond = rect_corners(np.array([50.0, 50.0]), (20.0, 20.0), np.pi / 4)
    inter = 400 * (2 * np.sqrt(2) - 2)  # the regular octagon
    assert abs(intersections(square[None], diamond[None])[0, 0] - inter) < 1e-6
    assert abs(iou_matrix(square[None], diamond[None])[0, 0]
               - inter / (800 - inter)) < 1e-9

    # Matching: identical sets, a shifted box, a missing box, a merge, a split.
    ref = np.array([[x0 - 5, y0 - 5, x1 + 5, y1 + 5] for x0, y0, x1, y1 in texts],
                   dtype=np.float64)
    m = match_boxes(ref, ref)
    assert m["recall"] == 1 and m["precision"] == 1 and m["merged"] == 0
    shifted = ref.copy()
    shifted[0, [0, 2]] += 0.5 * (ref[0, 2] - ref[0, 0])  # IoU 1/3
    m = match_boxes(ref, shifted)
    assert m["matched"] == 3 and abs(m["recall"] - 0.75) < 1e-9
    assert abs(iou_matrix(ref[:1], shifted[:1])[0, 0] - 1 / 3) < 1e-9
    m = match_boxes(ref, ref[1:])
    assert m["recall"] == 0.75 and m["precision"] == 1
    union = np.array([[ref[:2, 0].min(), ref[:2, 1].min(),
                       ref[:2, 2].max(), ref[:2, 3].max()]])
    m = match_boxes(ref, np.concatenate([union, ref[2:]]))
    assert m["merged"] == 1 and m["matched"] == 2
    mid = (ref[0, 0] + ref[0, 2]) / 2
    halves = np.array([[ref[0, 0], ref[0, 1], mid, ref[0, 3]],
                       [mid, ref[0, 1], ref[0, 2], ref[0, 3]]])
    m = match_boxes(ref[:1], halves)
    assert m["split"] == 1 and m["matched"] == 0
    assert match_boxes(np.zeros((0, 4)), np.zeros((0, 4)))["recall"] == 1
    print("det_postprocess self-test passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("prob", nargs="?", help="probability map .npy")
    ap.add_argument("ref", nargs="?", help="reference probability map .npy")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if not args.prob:
        ap.error("give PROB.npy or --self-test")
    boxes = db_boxes(np.load(args.prob))
    for box in boxes:
        print(" ".join("%.1f,%.1f" % tuple(corner) for corner in box))
    if args.ref:
        m = match_boxes(db_boxes(np.load(args.ref)), boxes)
        print("recall %.3f precision %.3f merged %d split %d" % (
            m["recall"], m["precision"], m["merged"], m["split"]), file=sys.stderr)


if __name__ == "__main__":
    main()
