"""Short, friendly English words for the passwords teachers print for young learners.

A password is two different words and two digits ("tigermango42"): 468 words give about
468·467·100 ≈ 21 million passwords (≈ 24 bits). That is weak against an offline attack on the
hashes, so it is safe only together with the sign-in limits in accounts/throttle.py; children can
read and type it, which is the point. Concrete nouns, colours and kind adjectives only, 3 to 6
lowercase ASCII letters each (any keyboard types them), chosen so that no pairing teases.
"""

WORDS: tuple[str, ...] = tuple(
    """
acorn almond amber anchor ant apple aqua arrow aurora autumn badge badger bag bagel ball bamboo
banana banjo barn basket bay beach bean bear beaver bee beetle bell berry bike bird bison black
bloom blue boat bold book boot bottle bouncy bowl box brave bread breeze breezy brick bridge
bright brook broom brown brush bucket bun bunny bush busy butter button cabin cactus cake calm
camel camera candle candy canoe canyon cap card carrot cashew castle cat cave celery cereal
chair chalk cheery cheese cherry chick chirpy clever cliff clock cloud clover coat cocoa coin
comb comet comfy cookie cool coral corn cosy crab crayon cream creek crow crown cup curry cute
cyan daisy date dawn deer desert desk dew dingo dog donut door dove dreamy drum duck dune eagle
earth egg falcon fan fancy farm fast fern ferret field fig finch fish flag fluffy flute fog
forest fork fox fresh frog frost funny galaxy garden gate gecko gentle gerbil gift glad globe
glove goat gold golden grand grape grass gray great green guava guitar happy hardy hare harp
hat hawk helmet heron hill hippo honey horn horse house ice igloo iguana indigo iris island
ivory ivy jade jaguar jam jar jet jolly juice jumpy kayak keen kettle key kind kite kitten kiwi
koala koi ladder lagoon lake lamb lamp lark leaf lemon lemur lilac lily lime lion lively lizard
llama lotus loyal lucky lychee magic magnet magpie mango map maple marble marsh meadow melon
merry meteor mighty milk mist misty mitten mole monkey moon moose moss moth mouse muffin mug
navy neat nest newt nice noble noodle note oak oar oat ocean okapi olive onion orange orbit
orca otter owl paint palm panda papaya paper park parrot pasta pea peach peanut pear pebble pen
pencil pepper peppy perky petal piano pickle pie pigeon pillow pine pink pizza planet plate
plucky plum polite pond pony pot potato prawn proud puffin puma puppy purple puzzle quail quick
quiet quilt rabbit radio radish raft rain rapid red reef rhino rice ring river robin robot rock
rocket roof rope rose rosy royal rubber ruby ruler sage sail salad salmon sand sandy scarf
school sea seal seed shark sheep shell shiny shoe silky silver sky sled sleepy sloth smart
snail snow snowy sock sofa soup sparky speedy spicy spider spoon sporty spring sprout squash
squid stamp star starry steady stone stork storm sugar summer summit sun sunny super sushi swan
sweet swift syrup table tablet taco tan tapir tea teal teapot tent ticket tide tidy tiger tiny
toast tofu tomato toucan towel tower toy train tree trout truck tuba tulip tuna turtle twig
valley van vase vine violet violin waffle wagon walrus warm watch wave whale wheel white willow
wind window winter wise witty wolf wood yak yellow yogurt zebra zesty zippy
""".split()
)
