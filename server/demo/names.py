"""Word lists the demo data is drawn from: people, places, companies and the work itself.

Everything is embedded so that seeding needs no network and gives the same data for the same
seed on every machine. Email domains are reserved ones (``example.*`` and ``.example``) so that
a demo can never mail a real person.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BUSINESS = "Brightwater Plumbing & Heating"

FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry "
    "Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine "
    "Gregory Helen Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria "
    "Dennis Olivia Jerry Heather Tyler Diane Aaron Julie Jose Joyce Adam Victoria Nathan Ruth "
    "Henry Virginia Zachary Lauren Douglas Kelly Peter Christina Kyle Joan Noah Evelyn Ethan "
    "Judith Jeremy Andrea Walter Hannah Christian Megan Keith Cheryl Roger Jacqueline Terry "
    "Martha Austin Madison Sean Teresa Gerald Gloria Carl Sara Harold Janice Dylan Ann Arthur "
    "Kathryn Lawrence Abigail Jordan Sophia Jesse Frances Bryan Jean Billy Alice Bruce Judy "
    "Gabriel Isabella Joe Julia Logan Grace Alan Amber Juan Denise Albert Danielle Willie "
    "Marilyn Elijah Beverly Wayne Charlotte Randy Natalie Vincent Theresa Mason Diana Roy "
    "Brittany Ralph Doris Bobby Kayla Russell Alexis Bradley Lori Philip Marie Eugene Priya "
    "Wei Mei Hiroshi Yuki Aisha Omar Fatima Ahmed Raj Anjali Carlos Lucia Diego Sofia Mateo "
    "Valentina Liam Chloe Ava Mia Lucas Zoe Owen Nora Leo Ruby Felix Iris Hugo Maya Ivan Elena"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris "
    "Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly "
    "Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza "
    "Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell "
    "Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher "
    "Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin "
    "Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens "
    "Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy "
    "Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner "
    "Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels "
    "Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins "
    "Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan "
    "Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman "
    "Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Okafor Haddad "
    "Nakamura Sato Kowalski Novak Lindqvist O'Brien Gallagher MacLeod Fitzgerald Dubois Rossi"
)

STREET_WORDS = _words(
    "Maple Oak Cedar Pine Elm Willow Birch Aspen Juniper Spruce Hickory Chestnut Magnolia "
    "Laurel Sycamore Poplar Walnut Hawthorn Juniper Harbor Lakeview Ridge Meadow Orchard "
    "Mill Church Station Bridge River Park Hill Valley Spring Brook Forest Garden Sunset "
    "Highland Prospect Franklin Jefferson Lincoln Madison Washington Adams Monroe Jackson "
    "Grant Sherman Union Liberty Market Water Main Center Court Colonial Heritage Fairview"
)
STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Place", "Boulevard")
UNIT_PREFIXES = ("Apt", "Unit", "Suite")

# City, state, first three digits of its ZIP codes, telephone area code.
CITIES = (
    ("Brightwater", "OR", "970", "503"),
    ("Millbrook", "OR", "971", "503"),
    ("Cedar Falls", "OR", "973", "541"),
    ("Riverton", "WA", "986", "360"),
    ("Lake Haven", "WA", "983", "253"),
    ("Fairmont", "OR", "972", "971"),
    ("Oak Hollow", "OR", "974", "541"),
    ("Westbury", "WA", "985", "360"),
    ("Kingsport Heights", "OR", "970", "503"),
    ("Silver Creek", "OR", "973", "971"),
)

PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")

COMPANY_FIRST = _words(
    "Harbor Summit Pioneer Evergreen Granite Bluebird Keystone Riverside Lakeshore Northwind "
    "Cascade Redwood Copper Silverline Meridian Oakridge Westfield Lighthouse Sunrise Ironwood "
    "Bayview Crescent Highland Willowbrook Stonegate Parkside Goldleaf Timberline Clearwater"
)
COMPANY_KINDS = (
    "Dental",
    "Property Management",
    "Lettings",
    "Apartments",
    "Veterinary Clinic",
    "Bakery",
    "Coffee Roasters",
    "Family Restaurant",
    "Fitness",
    "Montessori School",
    "Law Offices",
    "Auto Care",
    "Church",
    "Hotel",
    "Self Storage",
)
COMPANY_ROLES = ("facilities", "office manager", "site manager", "owner")

TECHNICIANS = (
    "Marcus Reid",
    "Dana Whitfield",
    "Luis Ortega",
    "Sam Kowalczyk",
    "Tasha Greene",
    "Ben Alder",
    "Nico Varga",
    "Rosa Delacroix",
)

STAFF = {
    "owner": "Helen Brightwater",
    "manager": "Priya Shah",
    "dispatcher": "Tom Becker",
}

# Job title, description, typical price range in dollars.
JOB_KINDS = (
    ("Annual boiler service", "Full service and flue gas analysis.", (120, 220)),
    ("Leaking kitchen tap", "Drip from the mixer tap; replace cartridge.", (90, 180)),
    ("Replace water heater", "50 gal tank, same location, new expansion tank.", (1400, 2600)),
    ("Radiator bleed and balance", "Cold spots upstairs; bleed and balance system.", (90, 160)),
    ("Blocked drain", "Slow draining shower and basin.", (110, 320)),
    ("Install smart thermostat", "Customer-supplied thermostat, wiring check.", (140, 260)),
    ("Burst pipe repair", "Leak under the crawlspace after the freeze.", (180, 650)),
    ("Gas safety inspection", "Yearly inspection of appliances and lines.", (95, 150)),
    ("Bathroom refit - first fix", "Move supply lines and waste for new layout.", (1800, 4200)),
    ("Furnace not igniting", "No heat; check igniter and flame sensor.", (150, 480)),
    ("Toilet running constantly", "Replace fill valve and flapper.", (85, 190)),
    ("Sump pump replacement", "Pump failing; replace with battery backup.", (600, 1400)),
    ("Heat pump maintenance", "Spring check, clean coils, check refrigerant.", (160, 280)),
    ("Garbage disposal install", "Remove old unit and install new.", (220, 420)),
    ("Water softener service", "Resin clean and brine tank check.", (120, 240)),
    ("New outdoor spigot", "Frost-free hose bib on the back wall.", (180, 360)),
)

LINE_ITEMS = (
    ("Labor (per hour)", 95, 40),
    ("Call-out fee", 79, 10),
    ("Replacement cartridge", 38, 16),
    ("Copper pipe and fittings", 64, 29),
    ("PEX pipe and fittings", 42, 18),
    ("Shut-off valve", 27, 11),
    ("Expansion tank", 89, 47),
    ("Flame sensor", 45, 14),
    ("Hot surface igniter", 68, 24),
    ("Fill valve kit", 24, 9),
    ("Thermostat wiring kit", 19, 6),
    ("Disposal of old unit", 60, 20),
    ("Permit fee", 125, 125),
    ("Drain camera inspection", 150, 30),
)

INTERNAL_NOTES = (
    "Gate code 4471. Dog in the yard, call ahead.",
    "Customer prefers mornings; works from home.",
    "Parts on order from the supplier, ETA Thursday.",
    "Tight crawlspace; bring the short ladder.",
    "Price matched last year's quote, do not discount further.",
    "Tenant on site; landlord pays. Invoice the billing contact.",
    "Older system, recommend replacement next visit.",
    "Parking is on the street only.",
    "Paid late twice; ask for card on file.",
    "Warranty job: bill the manufacturer, not the customer.",
)

HOLD_REASONS = ("Waiting for the customer to confirm access.", "Customer asked to pause.")
DECLINE_REASONS = (
    "We found someone closer.",
    "Too expensive for us right now.",
    "We decided to wait until spring.",
    "The landlord is handling it.",
)
DISABLE_REASONS = (
    "Contact left the company.",
    "Sold the property.",
    "Asked us to remove their access.",
    "Duplicate account; uses the billing contact's sign-in.",
)
SERVICE_REQUESTS = (
    "The water heater is making a banging noise.",
    "Can someone look at a slow leak under the bathroom sink?",
    "Please book our yearly boiler service.",
    "The heating does not come on in the mornings.",
    "We would like a quote for a new outdoor tap.",
)
PREFERRED_TIMES = ("Weekday mornings", "Any time after 3pm", "Saturdays if possible", None)
DOCUMENT_TITLES = (
    "Gas safety certificate",
    "Boiler warranty",
    "Service report",
    "Signed quote",
    "Inspection checklist",
)
PHOTO_CAPTIONS = (
    "Before: corroded fittings",
    "After: new valve installed",
    "Water heater data plate",
    "Leak location under sink",
    "Finished installation",
    "Damage found in crawlspace",
)
