"""PyTorch CPU timings of GAN Compression's ResNet generators, for bench/wasm_speed.bench.ts.

The models are written here from the published layer lists (docs/resnet-generators.md): the
ResnetGenerator teacher (ngf 64, 9 blocks), the SubMobileResnetGenerator student of a channel
config such as 16_16_32_16_32_32_16_16, and the MobileResnetGenerator (ngf 64) that the full
supernet computes, trained with L1 and Adam. Weights are PyTorch's default initialisation:
timings do not depend on them.

    /usr/bin/python3 bench/torch/resnet_speed.py --cases teacher,student,train   # one JSON object
    /usr/bin/python3 bench/torch/resnet_speed.py --serve                         # JSON lines

With --serve it reads one JSON request per line on stdin, {"case": "teacher", "minMs": 1500},
and answers each with one JSON line {"case": ..., "ms": median}, so the benchmark can alternate
PyTorch with tfjs round by round. Run it with Debian's python3-torch (/usr/bin/python3).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn


def norm(c):
    return nn.InstanceNorm2d(c, affine=False, track_running_stats=False, eps=1e-5)


class Residual(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def separable(c_in, c_out):
    """SeparableConv2d of the mobile generators: depthwise 3x3 (bias), IN, pointwise 1x1 (bias)."""
    return nn.Sequential(nn.Conv2d(c_in, c_in, 3, groups=c_in), norm(c_in), nn.Conv2d(c_in, c_out, 1))


def generator(stem, down1, dim, hidden, up1, up2, mobile, blocks=9):
    """hidden: the width inside each residual block (one per block)."""
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, stem, 7), norm(stem), nn.ReLU(True)]
    layers += [nn.Conv2d(stem, down1, 3, stride=2, padding=1), norm(down1), nn.ReLU(True)]
    layers += [nn.Conv2d(down1, dim, 3, stride=2, padding=1), norm(dim), nn.ReLU(True)]
    for b in range(blocks):
        conv = separable if mobile else (lambda i, o: nn.Conv2d(i, o, 3))
        layers.append(
            Residual(
                nn.Sequential(
                    nn.ReflectionPad2d(1), conv(dim, hidden[b]), norm(hidden[b]), nn.ReLU(True),
                    nn.ReflectionPad2d(1), conv(hidden[b], dim), norm(dim),
                )
            )
        )
    layers += [nn.ConvTranspose2d(dim, up1, 3, stride=2, padding=1, output_padding=1), norm(up1), nn.ReLU(True)]
    layers += [nn.ConvTranspose2d(up1, up2, 3, stride=2, padding=1, output_padding=1), norm(up2), nn.ReLU(True)]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(up2, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def teacher(ngf=64):
    return generator(ngf, 2 * ngf, 4 * ngf, [4 * ngf] * 9, 2 * ngf, ngf, mobile=False)


def student(config):
    """SubMobileResnetGenerator: c0 stem, 2·c1, 4·c2 (residual width), 4·c3/c4/c5 hidden per group of 3, 2·c6, c7."""
    c = [int(v) for v in config.split("_")]
    hidden = [4 * c[3]] * 3 + [4 * c[4]] * 3 + [4 * c[5]] * 3
    return generator(c[0], 2 * c[1], 4 * c[2], hidden, 2 * c[6], c[7], mobile=True)


def mobile(ngf=64):
    return generator(ngf, 2 * ngf, 4 * ngf, [4 * ngf] * 9, 2 * ngf, ngf, mobile=True)


def median_ms(fn, min_ms, min_runs=3, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start) * 1000 < min_ms:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        if len(times) >= 200:
            break
    return statistics.median(times)


class Cases:
    """Builds each case once (models, inputs, optimiser) and times it on request."""

    def __init__(self, size, train_size, batch, config):
        self.size, self.train_size, self.batch, self.config = size, train_size, batch, config
        self.built = {}

    def inference(self, make):
        model = make().eval()
        x = torch.rand(1, 3, self.size, self.size) * 2 - 1

        def run():
            with torch.inference_mode():
                model(x.clamp(-1, 1))

        return run

    def train(self):
        model = mobile(64).train()
        opt = torch.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
        x = torch.rand(self.batch, 3, self.train_size, self.train_size) * 2 - 1
        y = torch.rand(self.batch, 3, self.train_size, self.train_size) * 2 - 1

        def run():
            opt.zero_grad(set_to_none=True)
            loss = (model(x) - y).abs().mean()
            loss.backward()
            opt.step()

        return run

    def get(self, case):
        if case not in self.built:
            makers = {
                "teacher": lambda: self.inference(teacher),
                "student": lambda: self.inference(lambda: student(self.config)),
                "train": self.train,
            }
            if case not in makers:
                raise ValueError(f"unknown case {case!r}, expected one of {', '.join(makers)}")
            self.built[case] = makers[case]()
        return self.built[case]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="teacher,student,train")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--train-size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--config", default="16_16_32_16_32_32_16_16")
    parser.add_argument("--min-ms", type=float, default=1500)
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cases = Cases(args.size, args.train_size, args.batch, args.config)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    if not args.serve:
        times = {c: median_ms(cases.get(c), args.min_ms) for c in args.cases.split(",")}
        print(json.dumps({**info, "cases": times}))
        return
    print(json.dumps({"ready": True, **info}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            ms = median_ms(cases.get(request["case"]), float(request.get("minMs", args.min_ms)))
            print(json.dumps({"case": request["case"], "ms": ms}), flush=True)
        except Exception as e:  # report, keep serving
            print(json.dumps({"case": request.get("case"), "error": str(e)}), flush=True)


if __name__ == "__main__":
    main()
