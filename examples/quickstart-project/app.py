import json


def load_config(path="config.json"):
    with open(path) as handle:
        return json.load(handle)


def greet(name):
    return f"Hello, {name}!"


def main():
    config = load_config()
    name = config.get("default_nam", "stranger")  # bug: misspelled key
    print(greet(name))


if __name__ == "__main__":
    main()
