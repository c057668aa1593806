#!/usr/bin/env python3
"""Turns melspectrogram output into embedding-model input, as openWakeWord does.

    mel_to_embedding.py MEL.npy OUT.npy

MEL.npy is the melspectrogram model's output [T,1,F,32]; openWakeWord
rescales it by x/10 + 2 and feeds windows of 76 frames to the embedding
model as [1,76,32,1]. This takes the first window (zero-padded if shorter).
"""

import sys

import numpy as np

mel = np.load(sys.argv[1]).astype(np.float32)
frames = mel.reshape(-1, 32) / 10.0 + 2.0
window = np.zeros((76, 32), np.float32)
window[:min(76, len(frames))] = frames[:76]
np.save(sys.argv[2], window.reshape(1, 76, 32, 1))
