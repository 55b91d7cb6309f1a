"""Jildi's skin-lesion model: definition, preprocessing, training, export, serving.

A plain Python package: it imports nothing from Django or the rest of the project.
Serving (``ml.predictor``) needs only numpy, Pillow and ONNX Runtime; training,
export and evaluation helpers that need PyTorch import it lazily.
"""
