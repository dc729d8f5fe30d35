"""PyTorch (float64, one thread) as a peer of `npm run bench`, started by bench/torch.ts.

Reads {"options": {...}, "jobs": [...]} as JSON on stdin and prints one JSON object on stdout: for each job, the
first step's results (checked by the caller against its own) and the timing samples (seconds per call).
Each job is the work of one bench case written as a PyTorch user would: nn modules, a loss, backward, optim.SGD.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
torch.set_default_dtype(torch.float64)
F64 = torch.float64


def tensor(values, shape):
    return torch.tensor(values, dtype=F64).reshape(shape)


def flat(t):
    return t.detach().reshape(-1).tolist()


def samples(fn, options):
    """benchmark.js's scheme: samples of at least minTime seconds (the call repeated), until maxTime has passed
    and there are minSamples of them; each sample is a mean time per call."""
    fn()
    count, elapsed = 1, 0.0
    while elapsed < options["minTime"] / 4:  # calibrate the calls per sample
        count *= 2
        start = time.perf_counter()
        for _ in range(count):
            fn()
        elapsed = time.perf_counter() - start
    count = max(1, round(count * options["minTime"] / elapsed))
    out, start = [], time.perf_counter()
    while len(out) < options["minSamples"] or time.perf_counter() - start < options["maxTime"]:
        t = time.perf_counter()
        for _ in range(count):
            fn()
        out.append((time.perf_counter() - t) / count)
    return out


def linear(weight, bias, n_in, n_out):
    """nn.Linear holding the engine's x·W (+ b) weights: PyTorch stores W transposed, [out, in]."""
    layer = torch.nn.Linear(n_in, n_out, bias=bias is not None)
    with torch.no_grad():
        layer.weight.copy_(tensor(weight, (n_in, n_out)).T)
        if bias is not None:
            layer.bias.copy_(tensor(bias, (n_out,)))
    return layer


def training_step(job, options):
    """A sigmoid MLP (the XOR net or the 784-128-10 one): ½Σ(y − ŷ)², SGD; params in the engine's layout."""
    sizes, lr = job["sizes"], job["lr"]
    layers = []
    for k in range(len(sizes) - 1):
        layers += [linear(job["weights"][k], job["biases"][k] if job["biases"] else None, sizes[k], sizes[k + 1]),
                   torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y = tensor(job["x"], (-1, sizes[0])), tensor(job["y"], (-1, sizes[-1]))

    def step():
        opt.zero_grad()
        loss = 0.5 * torch.nn.functional.mse_loss(model(x), y, reduction="sum")
        loss.backward()
        opt.step()
        return loss

    loss = step().item()
    params = []
    for layer in model[::2]:
        params.append(flat(layer.weight.T))
        if layer.bias is not None:
            params.append(flat(layer.bias))
    return {"loss": loss, "params": params}, samples(step, options)


def matmul(job, options):
    n = job["n"]
    a, b = tensor(job["a"], (n, n)), tensor(job["b"], (n, n))
    return {"c": flat(torch.mm(a, b))}, samples(lambda: torch.mm(a, b), options)


def chain(job, options):
    """pairs × (·m, +a) on a 1×1 tensor that requires grad, then backward: the graph-overhead chain."""
    x = torch.tensor([[job["x0"]]], dtype=F64, requires_grad=True)
    m, a = job["m"], job["a"]

    def run():
        x.grad = None
        y = x
        for _ in range(job["pairs"]):
            y = y * m + a
        y.backward()
        return y

    y = run()
    return {"value": y.item(), "grad": x.grad.item()}, samples(run, options)


def lenet(job, options):
    """bench/lenet.ts's step: LeNet on 1×28×28 inputs, cross-entropy, SGD; params in the engine's layout (conv1's
    weight and bias, conv2's, then the three Linear layers', whose weights are [in, out])."""
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(256, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))
    layers = [model[i] for i in (0, 3, 7, 9, 11)]
    with torch.no_grad():
        for k, layer in enumerate(layers):
            w = job["params"][2 * k]
            layer.weight.copy_(tensor(w, layer.weight.shape) if k < 2 else tensor(w, layer.weight.shape[::-1]).T)
            layer.bias.copy_(tensor(job["params"][2 * k + 1], layer.bias.shape))
    opt = torch.optim.SGD(model.parameters(), lr=job["lr"])
    x, y = tensor(job["x"], (-1, 1, 28, 28)), torch.tensor(job["y"])

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    loss = step().item()
    params = []
    for k, layer in enumerate(layers):
        params += [flat(layer.weight if k < 2 else layer.weight.T), flat(layer.bias)]
    return {"loss": loss, "params": params}, samples(step, options)


def lstm_step(job, options):
    """nn.LSTM (params in PyTorch's layout and order, as the engine's), mse_loss of every step's output, SGD."""
    n_in, hidden, steps, batch = job["sizes"]
    model = torch.nn.LSTM(n_in, hidden)
    with torch.no_grad():
        for p, values in zip(model.parameters(), job["params"]):
            p.copy_(tensor(values, p.shape))
    opt = torch.optim.SGD(model.parameters(), lr=job["lr"])
    x, y = tensor(job["x"], (steps, batch, n_in)), tensor(job["y"], (steps, batch, hidden))

    def step():
        opt.zero_grad()
        out, _ = model(x)
        loss = torch.nn.functional.mse_loss(out, y)
        loss.backward()
        opt.step()
        return loss

    loss = step().item()
    return {"loss": loss, "params": [flat(p) for p in model.parameters()]}, samples(step, options)


WORK = {"training_step": training_step, "matmul": matmul, "chain": chain, "lenet": lenet, "lstm_step": lstm_step}

request = json.load(sys.stdin)
results = []
for job in request["jobs"]:
    first, times = WORK[job["kind"]](job, request["options"])
    results.append({"first": first, "samples": times})
json.dump({"torch": torch.__version__, "results": results}, sys.stdout)
