// Browser tests click through whole lifecycles on a loaded 2-core machine: each waits for what it needs (no fixed
// sleeps), with room to spare.
jest.setTimeout(120_000);
